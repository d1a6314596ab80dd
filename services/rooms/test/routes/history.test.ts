import { type ChatMessage, type HistoryResult, Subjects } from '@chat/protocol';
import { request } from '@chat/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, type TestUser } from '../stack.js';

let stack: Stack;
let alice: TestUser;
let staffer: TestUser;

beforeAll(async () => {
  stack = await startStack();
  [alice, staffer] = await Promise.all([stack.createUser('alice'), stack.createUser('staffer', { isStaff: true })]);
});
afterAll(() => stack?.close());

async function sendMany(room: string, author: TestUser, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await request<ChatMessage>(stack.nc, Subjects.rooms.send, {
      room,
      author: { id: author.id, username: author.username },
      text: `message ${i}`,
    });
  }
}

describe('message history over REST', () => {
  it('pages back through a room with before and limit, oldest first in each page', async () => {
    const room = await stack.createRoom('History Lesson');
    await sendMany(room.id, alice, 7);

    const latest = await stack.api<HistoryResult>(`/api/rooms/${room.id}/messages?limit=3`, { token: alice.token });
    expect(latest.status).toBe(200);
    expect(latest.body.room).toBe(room.id);
    expect(latest.body.messages.map((m) => m.seq)).toEqual([5, 6, 7]);
    expect(latest.body.messages[0]).toMatchObject({ text: 'message 5', author: { id: alice.id, username: 'alice' } });

    const older = await stack.api<HistoryResult>(`/api/rooms/${room.id}/messages?before=5&limit=3`, {
      token: alice.token,
    });
    expect(older.body.messages.map((m) => m.seq)).toEqual([2, 3, 4]);
    const oldest = await stack.api<HistoryResult>(`/api/rooms/${room.id}/messages?before=2&limit=3`, {
      token: alice.token,
    });
    expect(oldest.body.messages.map((m) => m.seq)).toEqual([1]);
    const none = await stack.api<HistoryResult>(`/api/rooms/${room.id}/messages?before=1`, { token: alice.token });
    expect(none.body.messages).toEqual([]);

    const all = await stack.api<HistoryResult>(`/api/rooms/${room.id}/messages`, { token: alice.token });
    expect(all.body.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('returns at most 50 messages by default and refuses pages over 100', async () => {
    const room = await stack.createRoom('Busy Room');
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        request(stack.nc, Subjects.rooms.send, {
          room: room.id,
          author: { id: alice.id, username: 'alice' },
          text: `m${i}`,
        }),
      ),
    );
    const page = await stack.api<HistoryResult>(`/api/rooms/${room.id}/messages`, { token: alice.token });
    expect(page.body.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    const tooMany = await stack.api<{ code: string }>(`/api/rooms/${room.id}/messages?limit=101`, {
      token: alice.token,
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.code).toBe('BAD_REQUEST');
    const badBefore = await stack.api<{ code: string }>(`/api/rooms/${room.id}/messages?before=zero`, {
      token: alice.token,
    });
    expect(badBefore.status).toBe(400);
  });

  it('shows a staff-only room to staff and refuses everyone else with 403 ROOM_ACCESS_DENIED', async () => {
    const room = await stack.createRoom('Staff Lounge', true);
    await sendMany(room.id, staffer, 2);
    const denied = await stack.api<{ code: string }>(`/api/rooms/${room.id}/messages`, { token: alice.token });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('ROOM_ACCESS_DENIED');
    const allowed = await stack.api<HistoryResult>(`/api/rooms/${room.id}/messages`, { token: staffer.token });
    expect(allowed.status).toBe(200);
    expect(allowed.body.messages).toHaveLength(2);
  });

  it('goes by whether the user is staff now, not by what their token says', async () => {
    const room = await stack.createRoom('Staff Only Now', true);
    const demoted = await stack.createUser('demoted', { isStaff: true });
    expect((await stack.api(`/api/rooms/${room.id}/messages`, { token: demoted.token })).status).toBe(200);
    const patch = await stack.authApi(`/api/auth/users/${demoted.id}`, {
      method: 'PATCH',
      token: stack.admin.token,
      body: { isStaff: false },
    });
    expect(patch.status).toBe(200);
    const res = await stack.api<{ code: string }>(`/api/rooms/${room.id}/messages`, { token: demoted.token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('ROOM_ACCESS_DENIED');
  });

  it('refuses history without a session', async () => {
    const room = await stack.createRoom('Private Matters');
    const res = await stack.api<{ code: string }>(`/api/rooms/${room.id}/messages`);
    expect(res.status).toBe(401);
  });
});
