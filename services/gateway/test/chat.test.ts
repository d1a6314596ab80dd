import type { MessageEvent, ServerFrame } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from './replies.js';
import { type Stack, startStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const messagesIn = (frames: ServerFrame[], room: string) =>
  frames.filter((f): f is MessageEvent => f.type === 'message' && f.room === room);

describe('two users in one room', () => {
  it('both see every message, in order, with the author name', async () => {
    const room = await stack.room('Lobby');
    const alice = await stack.user({ name: 'alice' });
    const bob = await stack.user({ name: 'bob' });
    const a = await stack.socket(alice.token);
    const b = await stack.socket(bob.token);
    ok(await a.request({ type: 'join', room }));
    ok(await b.request({ type: 'join', room }));

    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      const from = i % 2 === 0 ? a : b;
      const text = `hello ${i}`;
      sent.push(text);
      const stored = ok(await from.request({ type: 'send', room, text }));
      expect(stored.text).toBe(text);
    }
    for (const s of [a, b]) {
      await s.waitFor((f) => f.type === 'message' && f.message.text === 'hello 9');
      const got = messagesIn(s.frames, room);
      expect(got.map((m) => m.message.text)).toEqual(sent);
      expect(got.map((m) => m.message.author.username)).toEqual(sent.map((_, i) => (i % 2 === 0 ? 'alice' : 'bob')));
      const seqs = got.map((m) => m.message.seq);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    }
  });
});

describe('one socket, many rooms', () => {
  it('gets each room tagged with its room, and nothing from a room it left', async () => {
    const rooms = [await stack.room('Red'), await stack.room('Green'), await stack.room('Blue')];
    const me = await stack.user();
    const other = await stack.user();
    const mine = await stack.socket(me.token);
    const theirs = await stack.socket(other.token);
    for (const room of rooms) {
      ok(await mine.request({ type: 'join', room }));
      ok(await theirs.request({ type: 'join', room }));
    }
    for (const room of rooms) ok(await theirs.request({ type: 'send', room, text: `in ${room}` }));
    for (const room of rooms) {
      const event = await mine.waitFor((f) => f.type === 'message' && f.room === room);
      expect((event as MessageEvent).message.text).toBe(`in ${room}`);
    }

    ok(await mine.request({ type: 'leave', room: rooms[1] }));
    ok(await theirs.request({ type: 'send', room: rooms[1], text: 'after you left' }));
    ok(await theirs.request({ type: 'send', room: rooms[2], text: 'still here' }));
    await mine.waitFor((f) => f.type === 'message' && f.message.text === 'still here');
    expect(mine.frames.some((f) => f.type === 'message' && f.message.text === 'after you left')).toBe(false);

    const refused = await mine.request({ type: 'send', room: rooms[1], text: 'not a member' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('NOT_IN_ROOM');
  });
});

describe('staff-only rooms', () => {
  it('refuse non-staff, admit staff, and refuse a demoted user with an older token', async () => {
    const room = await stack.room('Staff room', true);
    const plain = await stack.user();
    const staff = await stack.user({ isStaff: true });

    const refused = await (await stack.socket(plain.token)).request({ type: 'join', room });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('ROOM_ACCESS_DENIED');

    const staffSocket = await stack.socket(staff.token);
    expect(ok(await staffSocket.request({ type: 'join', room })).room).toMatchObject({ id: room, staffOnly: true });

    const demote = await stack.call('PATCH', `/api/auth/users/${staff.id}`, {
      token: stack.adminToken,
      body: { isStaff: false },
    });
    expect(demote.status).toBe(200);
    const again = await (await stack.socket(staff.token)).request({ type: 'join', room });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.code).toBe('ROOM_ACCESS_DENIED');
  });

  it('a refused joiner sees nothing of the room', async () => {
    const room = await stack.room('Secret', true);
    const staff = await stack.user({ isStaff: true });
    const plain = await stack.user();
    const insider = await stack.socket(staff.token);
    ok(await insider.request({ type: 'join', room }));
    const outsider = await stack.socket(plain.token);
    const pending = outsider.request({ type: 'join', room });
    ok(await insider.request({ type: 'send', room, text: 'secret plan' }));
    expect((await pending).ok).toBe(false);
    ok(await insider.request({ type: 'send', room, text: 'more secrets' }));
    await insider.waitFor((f) => f.type === 'message' && f.message.text === 'more secrets');
    ok(await outsider.request({ type: 'ping' }));
    expect(outsider.frames.filter((f) => f.type !== 'reply')).toEqual([]);
  });
});

describe('join and leave notices', () => {
  it('reach the others on join, leave and disconnect', async () => {
    const room = await stack.room('Notices');
    const stayer = await stack.user();
    const visitor = await stack.user();
    const s = await stack.socket(stayer.token);
    ok(await s.request({ type: 'join', room }));

    const v = await stack.socket(visitor.token);
    ok(await v.request({ type: 'join', room }));
    const joined = await s.waitFor((f) => f.type === 'joined' && f.users.some((u) => u.id === visitor.id));
    expect(joined).toMatchObject({ room, users: [{ id: visitor.id, username: visitor.username }] });

    ok(await v.request({ type: 'leave', room }));
    await s.waitFor((f) => f.type === 'left' && f.users.some((u) => u.id === visitor.id));

    ok(await v.request({ type: 'join', room }));
    const mark = s.frames.length;
    await v.close();
    const left = await s.waitFor((f) => f.type === 'left' && f.users.some((u) => u.id === visitor.id), 5000, mark);
    expect(left).toMatchObject({ room, users: [{ username: visitor.username }] });
  });

  it('of a crowd arriving at once come gathered, naming each user once, and before their first words', async () => {
    const room = await stack.room('Crowded');
    const host = await stack.socket((await stack.user()).token);
    ok(await host.request({ type: 'join', room }));
    const crowd = await Promise.all(Array.from({ length: 30 }, () => stack.user()));
    const sockets = await Promise.all(crowd.map((u) => stack.socket(u.token)));
    await Promise.all(sockets.map(async (s) => ok(await s.request({ type: 'join', room }))));
    const last = sockets.at(-1)!;
    ok(await last.request({ type: 'send', room, text: 'made it' }));
    await host.waitFor((f) => f.type === 'message' && f.message.text === 'made it');

    const notices = host.frames.filter((f) => f.type === 'joined' && f.room === room);
    const named = notices.flatMap((f) => (f.type === 'joined' ? f.users.map((u) => u.id) : []));
    expect(named.sort()).toEqual(crowd.map((u) => u.id).sort());
    expect(notices.length).toBeLessThan(crowd.length / 2);
    const heard = host.frames.findIndex((f) => f.type === 'message' && f.message.text === 'made it');
    const lastNamed = host.frames.findIndex(
      (f) => f.type === 'joined' && f.users.some((u) => u.id === crowd.at(-1)!.id),
    );
    expect(lastNamed).toBeGreaterThanOrEqual(0);
    expect(lastNamed).toBeLessThan(heard);
    await Promise.all(sockets.map((s) => s.close()));
  });
});

describe('history', () => {
  it('comes back on join after a reconnect, and pages backwards', async () => {
    const room = await stack.room('Archive');
    const writer = await stack.user();
    const w = await stack.socket(writer.token);
    ok(await w.request({ type: 'join', room }));
    for (let i = 1; i <= 60; i++) ok(await w.request({ type: 'send', room, text: `m${i}` }));
    await w.close();

    const again = await stack.socket(writer.token);
    const joined = ok(await again.request({ type: 'join', room }));
    expect(joined.messages).toHaveLength(50);
    expect(joined.messages[0].text).toBe('m11');
    expect(joined.messages.at(-1).text).toBe('m60');

    const page = ok(await again.request({ type: 'history', room, before: joined.messages[0].seq, limit: 20 }));
    expect(page.messages.map((m: { text: string }) => m.text)).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${i + 1}`),
    );
    const none = ok(await again.request({ type: 'history', room, before: 1 }));
    expect(none.messages).toEqual([]);
  });

  it('is refused for a room not joined', async () => {
    const room = await stack.room('Closed book');
    const reader = await stack.user();
    const r = await (await stack.socket(reader.token)).request({ type: 'history', room });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('NOT_IN_ROOM');
  });
});

describe('rooms over REST through the gateway', () => {
  it('lets an admin create, rename and delete rooms, and lists them with staff-only flagged', async () => {
    const created = await stack.call('POST', '/api/rooms', {
      token: stack.adminToken,
      body: { title: 'Book Club', staffOnly: true },
    });
    expect(created.status).toBe(201);
    const { epoch } = created.body;
    expect(epoch).toBeGreaterThan(0);
    expect(created.body).toEqual({ id: 'book-club', title: 'Book Club', staffOnly: true, epoch });
    const renamed = await stack.call('PATCH', '/api/rooms/book-club', {
      token: stack.adminToken,
      body: { title: 'Readers' },
    });
    expect(renamed.body).toEqual({ id: 'book-club', title: 'Readers', staffOnly: true, epoch });
    const plain = await stack.user();
    const list = await stack.call('GET', '/api/rooms', { token: plain.token });
    expect(list.body).toContainEqual({ id: 'book-club', title: 'Readers', staffOnly: true, epoch });
    expect((await stack.call('POST', '/api/rooms', { token: plain.token, body: { title: 'Mine' } })).status).toBe(403);
    expect((await stack.call('DELETE', '/api/rooms/book-club', { token: plain.token })).status).toBe(403);
    expect((await stack.call('DELETE', '/api/rooms/book-club', { token: stack.adminToken })).status).toBe(204);
    const after = await stack.call('GET', '/api/rooms', { token: plain.token });
    expect(after.body.map((r: { id: string }) => r.id)).not.toContain('book-club');
  });
});
