import { randomUUID } from 'node:crypto';
import { type ChatMessage, type ChatError, type MessageEvent, roomSubject, Subjects } from '@chat/protocol';
import { request } from '@chat/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Stack, startStack, type TestUser } from '../stack.js';
import { refusal } from '../refusal.js';

let stack: Stack;
let alice: TestUser;

beforeAll(async () => {
  stack = await startStack();
  alice = await stack.createUser('alice');
});
afterAll(() => stack?.close());

const author = () => ({ id: alice.id, username: alice.username });
const send = (room: string, text: string) =>
  request<ChatMessage>(stack.nc, Subjects.rooms.send, { room, author: author(), text });

async function storedSeqs(room: string): Promise<number[]> {
  const { rows } = await stack.sql.query<{ seq: string }>(
    'SELECT seq FROM rooms.messages WHERE room_id = $1 ORDER BY seq',
    [room],
  );
  return rows.map((r) => Number(r.seq));
}

describe('sending messages over NATS', () => {
  it('stores the trimmed text, answers with the stored message and publishes the same message to the room', async () => {
    const room = await stack.createRoom('Greetings');
    const events = await listen<MessageEvent>(stack.nc, roomSubject(room.id));

    const message = await send(room.id, '  hello world \n');
    expect(message).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      seq: 1,
      author: author(),
      text: 'hello world',
      createdAt: expect.any(String),
    });
    expect(new Date(message.createdAt).toISOString()).toBe(message.createdAt);

    await events.waitFor(1);
    expect(events.received[0]).toEqual({ type: 'message', room: room.id, message });
    // The published bytes are the finished frame the gateway forwards unchanged.
    expect(events.raw[0]).toBe(JSON.stringify({ type: 'message', room: room.id, message }));

    const { rows } = await stack.sql.query(
      'SELECT id, seq, author_id, author_username, text, created_at FROM rooms.messages WHERE room_id = $1',
      [room.id],
    );
    expect(rows.map((r) => ({ ...r, seq: Number(r.seq) }))).toEqual([
      {
        id: message.id,
        seq: 1,
        author_id: alice.id,
        author_username: 'alice',
        text: 'hello world',
        created_at: new Date(message.createdAt),
      },
    ]);
    await events.stop();
  });

  it('numbers 500 concurrent messages to 3 rooms 1..n per room with no gaps, announced in order', async () => {
    const rooms = await Promise.all(['Race A', 'Race B', 'Race C'].map((t) => stack.createRoom(t)));
    const listeners = await Promise.all(rooms.map((r) => listen<MessageEvent>(stack.nc, roomSubject(r.id))));

    const sends = Array.from({ length: 500 }, (_, i) => {
      const room = rooms[i % 3]!.id;
      return send(room, `message ${i}`).then((message) => ({ room, message }));
    });
    const replies = await Promise.all(sends);

    for (const [index, room] of rooms.entries()) {
      const mine = replies.filter((r) => r.room === room.id).map((r) => r.message);
      const n = mine.length;
      const expected = Array.from({ length: n }, (_, i) => i + 1);
      expect(mine.map((m) => m.seq).sort((a, b) => a - b)).toEqual(expected);
      expect(await storedSeqs(room.id)).toEqual(expected);

      const listener = listeners[index]!;
      await listener.waitFor(n);
      const announced = listener.received.map((e) => e.message);
      expect(announced.map((m) => m.seq)).toEqual(expected);
      expect([...announced].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        [...mine].sort((a, b) => a.id.localeCompare(b.id)),
      );
      await listener.stop();
    }
    const { rows } = await stack.sql.query<{ id: string; last_seq: string }>(
      'SELECT id, last_seq FROM rooms.rooms WHERE id = ANY($1) ORDER BY id',
      [rooms.map((r) => r.id)],
    );
    expect(rows.map((r) => Number(r.last_seq))).toEqual([167, 167, 166]);
  });

  it('refuses an empty or blank message with BAD_REQUEST and publishes nothing', async () => {
    const room = await stack.createRoom('Silence');
    const events = await listen(stack.nc, roomSubject(room.id));
    expect(await refusal(send(room.id, ''))).toBe('BAD_REQUEST');
    expect(await refusal(send(room.id, ' \n\t '))).toBe('BAD_REQUEST');
    await events.settle();
    expect(events.received).toEqual([]);
    expect(await storedSeqs(room.id)).toEqual([]);
    await events.stop();
  });

  it('refuses more than 4000 characters with MESSAGE_TOO_LONG, counting characters rather than UTF-16 units', async () => {
    const room = await stack.createRoom('Long Reads');
    expect(await refusal(send(room.id, 'x'.repeat(4001)))).toBe('MESSAGE_TOO_LONG');
    expect(await refusal(send(room.id, '😀'.repeat(4001)))).toBe('MESSAGE_TOO_LONG');
    expect((await send(room.id, 'x'.repeat(4000))).seq).toBe(1);
    expect((await send(room.id, '😀'.repeat(4000))).text).toHaveLength(8000);
    // Surrounding blanks do not count.
    expect((await send(room.id, `  ${'y'.repeat(4000)}  `)).seq).toBe(3);
  });

  it('refuses a message to an unknown room with ROOM_INVALID without failing messages sent with it', async () => {
    const room = await stack.createRoom('Real Room');
    const results = await Promise.allSettled([
      send(room.id, 'one'),
      send('no-such-room', 'lost'),
      send(room.id, 'two'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as ChatError).code).toBe('ROOM_INVALID');
    expect(await storedSeqs(room.id)).toEqual([1, 2]);
  });

  it('refuses a message to a deleted room with ROOM_INVALID', async () => {
    const room = await stack.createRoom('Short Lived');
    await send(room.id, 'first');
    await stack.api(`/api/rooms/${room.id}`, { method: 'DELETE', token: stack.admin.token });
    expect(await refusal(send(room.id, 'too late'))).toBe('ROOM_INVALID');
  });

  it('refuses a text containing a NUL character with BAD_REQUEST', async () => {
    const room = await stack.createRoom('Binary');
    expect(await refusal(send(room.id, 'a\u0000b'))).toBe('BAD_REQUEST');
  });

  it('refuses a malformed room id with BAD_REQUEST', async () => {
    expect(await refusal(send('x.y', 'hi'))).toBe('BAD_REQUEST');
  });
});

describe('retried sends', () => {
  it('store a message once however many attempts reach the store, with no gap in seq', async () => {
    const room = await stack.createRoom('Retries');
    const id = randomUUID();
    const attempt = (n: number) =>
      request<ChatMessage>(stack.nc, Subjects.rooms.send, {
        room: room.id,
        author: author(),
        text: 'once',
        id,
        attempt: n,
      });
    const first = await attempt(1);
    const again = await attempt(2);
    expect(again).toEqual(first);
    // Twins in one batch: the same send arriving twice at once.
    const [a, b] = await Promise.all([attempt(3), attempt(3)]);
    expect(a).toEqual(first);
    expect(b).toEqual(first);
    const next = await send(room.id, 'after');
    expect(next.seq).toBe(first.seq + 1);
    expect(await storedSeqs(room.id)).toEqual([1, 2]);
  });
});
