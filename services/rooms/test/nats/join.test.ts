import {
  type ChatMessage,
  type HistoryResult,
  JoinHeaders,
  type JoinResult,
  type RoomEvent,
  roomSubject,
  Subjects,
} from '@chat/protocol';
import { request, requestRaw } from '@chat/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Stack, startStack, type TestUser } from '../stack.js';
import { refusal } from '../refusal.js';

let stack: Stack;
let alice: TestUser;
let staffer: TestUser;

beforeAll(async () => {
  stack = await startStack();
  [alice, staffer] = await Promise.all([stack.createUser('alice'), stack.createUser('staffer', { isStaff: true })]);
});
afterAll(() => stack?.close());

const ref = (user: TestUser) => ({ id: user.id, username: user.username });
const join = (room: string, user: TestUser, limit?: number) =>
  request<JoinResult>(stack.nc, Subjects.rooms.join, {
    room,
    user: ref(user),
    ...(limit === undefined ? {} : { limit }),
  });
const send = (room: string, user: TestUser, text: string) =>
  request<ChatMessage>(stack.nc, Subjects.rooms.send, { room, author: ref(user), text });

describe('joining a room over NATS', () => {
  it('returns the room with its latest messages, oldest first, and announces the join to the room', async () => {
    const room = await stack.createRoom('Lobby');
    for (let i = 1; i <= 5; i++) await send(room.id, alice, `hello ${i}`);
    const events = await listen<RoomEvent>(stack.nc, roomSubject(room.id));

    const result = await join(room.id, alice, 3);
    expect(result.room).toEqual({ id: 'lobby', title: 'Lobby', staffOnly: false, epoch: expect.any(Number) });
    expect(result.messages.map((m) => [m.seq, m.text])).toEqual([
      [3, 'hello 3'],
      [4, 'hello 4'],
      [5, 'hello 5'],
    ]);

    await events.waitFor(1);
    expect(events.received).toEqual([{ type: 'joined', room: 'lobby', users: [{ id: alice.id, username: 'alice' }] }]);
    await events.stop();
  });

  it('returns up to 50 recent messages when no limit is given', async () => {
    const room = await stack.createRoom('Chatty');
    await Promise.all(Array.from({ length: 55 }, (_, i) => send(room.id, alice, `m${i}`)));
    const result = await join(room.id, alice);
    expect(result.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 6));
  });

  it('lets staff into a staff-only room and refuses other users with ROOM_ACCESS_DENIED, announcing nothing', async () => {
    const room = await stack.createRoom('Back Office', true);
    const events = await listen<RoomEvent>(stack.nc, roomSubject(room.id));
    expect(await refusal(join(room.id, alice))).toBe('ROOM_ACCESS_DENIED');
    const result = await join(room.id, staffer);
    expect(result.room.staffOnly).toBe(true);
    await events.waitFor(1);
    await events.settle();
    expect(events.received).toEqual([{ type: 'joined', room: room.id, users: [ref(staffer)] }]);
    await events.stop();
  });

  it('refuses a user demoted from staff even though their token still says staff', async () => {
    const room = await stack.createRoom('Managers', true);
    const demoted = await stack.createUser('demoted', { isStaff: true });
    await join(room.id, demoted);
    await stack.authApi(`/api/auth/users/${demoted.id}`, {
      method: 'PATCH',
      token: stack.admin.token,
      body: { isStaff: false },
    });
    expect(await refusal(join(room.id, demoted))).toBe('ROOM_ACCESS_DENIED');
  });

  it('refuses a disabled user with USER_DISABLED', async () => {
    const room = await stack.createRoom('Open Room');
    const banned = await stack.createUser('banned');
    await stack.authApi(`/api/auth/users/${banned.id}`, {
      method: 'PATCH',
      token: stack.admin.token,
      body: { disabled: true },
    });
    expect(await refusal(join(room.id, banned))).toBe('USER_DISABLED');
  });

  it('refuses every request of a user disabled after they joined: send, edit, delete, history', async () => {
    const room = await stack.createRoom('Later Banned');
    const member = await stack.createUser('member-then-banned');
    await join(room.id, member);
    const mine = await send(room.id, member, 'before');
    await stack.authApi(`/api/auth/users/${member.id}`, {
      method: 'PATCH',
      token: stack.admin.token,
      body: { disabled: true },
    });
    const user = ref(member);
    const target = { room: room.id, id: mine.id, user };
    expect(await refusal(send(room.id, member, 'after'))).toBe('USER_DISABLED');
    expect(await refusal(request(stack.nc, Subjects.rooms.edit, { ...target, text: 'changed' }))).toBe('USER_DISABLED');
    expect(await refusal(request(stack.nc, Subjects.rooms.delete, target))).toBe('USER_DISABLED');
    expect(await refusal(request(stack.nc, Subjects.rooms.history, { room: room.id, user }))).toBe('USER_DISABLED');
  });

  it('refuses a user the auth service does not know', async () => {
    const room = await stack.createRoom('Ghost Town');
    const ghost = { id: '00000000-0000-4000-8000-000000000000', username: 'ghost', token: '' };
    expect(await refusal(join(room.id, ghost))).toBe('UNAUTHORIZED');
  });

  it('refuses an unknown room with ROOM_INVALID and a malformed one with BAD_REQUEST', async () => {
    expect(await refusal(join('no-such-room', alice))).toBe('ROOM_INVALID');
    expect(await refusal(join('room.>', alice))).toBe('BAD_REQUEST');
    expect(await refusal(join('*', alice))).toBe('BAD_REQUEST');
  });
});

describe('leaving a room over NATS', () => {
  it("announces the leave of the user's last socket to the room, and of no other", async () => {
    const room = await stack.createRoom('Exit Hall');
    await join(room.id, alice);
    await join(room.id, alice);
    const events = await listen<RoomEvent>(stack.nc, roomSubject(room.id));
    const leave = () => request(stack.nc, Subjects.rooms.leave, { room: room.id, user: ref(alice) });
    expect(await leave()).toEqual({});
    expect(await leave()).toEqual({});
    await events.waitFor(1);
    expect(events.received).toEqual([{ type: 'left', room: room.id, users: [ref(alice)] }]);
    await events.stop();
  });

  it('refuses an unknown room with ROOM_INVALID', async () => {
    expect(await refusal(request(stack.nc, Subjects.rooms.leave, { room: 'nowhere', user: ref(alice) }))).toBe(
      'ROOM_INVALID',
    );
  });
});

describe('history over NATS', () => {
  it('pages back with before and limit, oldest first', async () => {
    const room = await stack.createRoom('Archive');
    for (let i = 1; i <= 6; i++) await send(room.id, alice, `a${i}`);
    const page = await request<HistoryResult>(stack.nc, Subjects.rooms.history, {
      room: room.id,
      user: ref(alice),
      before: 5,
      limit: 2,
    });
    expect(page.room).toBe(room.id);
    expect(page.messages.map((m) => m.text)).toEqual(['a3', 'a4']);
    const latest = await request<HistoryResult>(stack.nc, Subjects.rooms.history, { room: room.id, user: ref(alice) });
    expect(latest.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses an unknown room with ROOM_INVALID', async () => {
    expect(await refusal(request(stack.nc, Subjects.rooms.history, { room: 'nowhere', user: ref(alice) }))).toBe(
      'ROOM_INVALID',
    );
  });

  it('refuses a reader who may not enter the room now, and a request for another incarnation', async () => {
    const room = await stack.createRoom('Back office', true);
    await send(room.id, staffer, 'for staff');
    const read = (user: TestUser, epoch?: number) =>
      request<HistoryResult>(stack.nc, Subjects.rooms.history, { room: room.id, user: ref(user), epoch });
    expect((await read(staffer)).messages.map((m) => m.text)).toEqual(['for staff']);
    expect(await refusal(read(alice))).toBe('ROOM_ACCESS_DENIED');
    expect(await refusal(send(room.id, alice, 'let me in'))).toBe('ROOM_ACCESS_DENIED');

    const answer = await requestRaw(stack.nc, Subjects.rooms.join, { room: room.id, user: ref(staffer) });
    const epoch = Number(answer.header(JoinHeaders.epoch));
    expect((await read(staffer, epoch)).messages).toHaveLength(1);
    expect(await refusal(read(staffer, epoch + 1))).toBe('ROOM_INVALID');
  });
});

describe('the history a join carries', () => {
  it('is never older than the join: new messages, edits and deletions show at once', async () => {
    const room = await stack.createRoom('Always current');
    const first = await send(room.id, alice, 'one');
    await send(room.id, alice, 'two');
    expect((await join(room.id, alice)).messages.map((m) => m.text)).toEqual(['one', 'two']);
    // The same state again: the same answer.
    expect((await join(room.id, staffer)).messages.map((m) => m.text)).toEqual(['one', 'two']);

    await send(room.id, alice, 'three');
    expect((await join(room.id, alice)).messages.map((m) => m.text)).toEqual(['one', 'two', 'three']);

    await request(stack.nc, Subjects.rooms.edit, { room: room.id, id: first.id, user: ref(alice), text: 'uno' });
    expect((await join(room.id, alice)).messages.map((m) => m.text)).toEqual(['uno', 'two', 'three']);

    await request(stack.nc, Subjects.rooms.delete, { room: room.id, id: first.id, user: ref(alice) });
    const after = (await join(room.id, alice)).messages;
    expect(after.map((m) => [m.seq, m.text])).toEqual([
      [1, ''],
      [2, 'two'],
      [3, 'three'],
    ]);
  });

  it('tells the gateway the last seq and the room epoch in headers', async () => {
    const room = await stack.createRoom('Headers', true);
    await send(room.id, staffer, 'a');
    await send(room.id, staffer, 'b');
    const answer = await requestRaw(stack.nc, Subjects.rooms.join, { room: room.id, user: ref(staffer) });
    expect(answer.header(JoinHeaders.lastSeq)).toBe('2');
    expect(Number(answer.header(JoinHeaders.epoch))).toBeGreaterThan(0);
  });
});
