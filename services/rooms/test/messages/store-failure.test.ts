import { type ChatMessage, ChatError, roomSubject, Subjects } from '@chat/protocol';
import { request } from '@chat/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Stack, startStack, type TestUser } from '../stack.js';

let stack: Stack;
let alice: TestUser;

beforeAll(async () => {
  stack = await startStack();
  alice = await stack.createUser('alice');
});
afterAll(() => stack?.close());

const send = (room: string, text: string) =>
  request<ChatMessage>(stack.nc, Subjects.rooms.send, {
    room,
    author: { id: alice.id, username: alice.username },
    text,
  });

describe('when the message store fails', () => {
  it('answers every message of the batch UNAVAILABLE, announces none, and loses no seq', async () => {
    const room = await stack.createRoom('Fragile');
    expect((await send(room.id, 'before')).seq).toBe(1);
    const events = await listen(stack.nc, roomSubject(room.id));

    // The INSERT of the next batch fails after its UPDATE reserved seqs: the rollback must undo both.
    await stack.sql.query('ALTER TABLE rooms.messages RENAME TO messages_away');
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => send(room.id, `during ${i}`)));
    await stack.sql.query('ALTER TABLE rooms.messages_away RENAME TO messages');

    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as ChatError;
      expect(reason).toBeInstanceOf(ChatError);
      expect([reason.code, reason.message]).toEqual(['UNAVAILABLE', 'the message store is unavailable']);
    }
    await events.settle();
    expect(events.received).toEqual([]);

    expect((await send(room.id, 'after')).seq).toBe(2);
    const { rows } = await stack.sql.query('SELECT seq, text FROM rooms.messages WHERE room_id = $1 ORDER BY seq', [
      room.id,
    ]);
    expect(rows.map((r) => [Number(r.seq), r.text])).toEqual([
      [1, 'before'],
      [2, 'after'],
    ]);
    await events.stop();
  });
});

describe('when the rooms service shuts down', () => {
  it('stores every message it acknowledged, and acknowledges every message it stored', async () => {
    const room = await stack.createRoom('Closing Time');
    const sends = Array.from({ length: 500 }, (_, i) => send(room.id, `last words ${i}`));
    // Close while the service is busy with them: they have reached the server, not all have been answered.
    // (Requests go out at the end of the event-loop turn they were made in; the flush follows them.)
    await new Promise((resolve) => setImmediate(resolve));
    await stack.nc.flush();
    await stack.rooms.close();
    const results = await Promise.allSettled(sends);
    const acknowledged = results.filter((r) => r.status === 'fulfilled').length;
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as ChatError).code).toBe('UNAVAILABLE');
    }
    const { rows } = await stack.sql.query('SELECT count(*)::int AS n FROM rooms.messages WHERE room_id = $1', [
      room.id,
    ]);
    expect(rows[0].n).toBe(acknowledged);
    expect(acknowledged).toBeGreaterThan(1);
  });
});
