/**
 * Exactly-once sends: a send names its message id (the client's, or the gateway's), and an id is stored once.
 * A repeat is answered with the stored message wherever it meets the store: looked up first (a retry), or found
 * taken by the group commit itself (a client's repeat, a twin in the same batch or at another instance).
 */
import { randomUUID } from 'node:crypto';
import { type ChatMessage, ChatError, type MessageEvent, roomSubject, Subjects } from '@chat/protocol';
import { request } from '@chat/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Stack, startStack, type TestUser } from '../stack.js';

let stack: Stack;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  stack = await startStack();
  [alice, bob] = [await stack.createUser('alice'), await stack.createUser('bob')];
});
afterAll(() => stack?.close());

const as = (user: TestUser) => ({ id: user.id, username: user.username });
const send = (room: string, text: string, options: { id?: string; attempt?: number; author?: TestUser } = {}) =>
  request<ChatMessage>(stack.nc, Subjects.rooms.send, {
    room,
    author: as(options.author ?? alice),
    text,
    id: options.id,
    attempt: options.attempt,
  });

async function refusal(promise: Promise<unknown>): Promise<ChatError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChatError);
  return err as ChatError;
}

async function storedSeqs(room: string): Promise<number[]> {
  const { rows } = await stack.sql.query<{ seq: string }>(
    'SELECT seq FROM rooms.messages WHERE room_id = $1 ORDER BY seq',
    [room],
  );
  return rows.map((r) => Number(r.seq));
}

/** Until the message's outbox row is gone: its event went out and NATS took it. */
async function announced(id: string): Promise<void> {
  for (;;) {
    const { rows } = await stack.sql.query('SELECT 1 FROM rooms.unannounced WHERE message_id = $1', [id]);
    if (rows.length === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a send that names its message id', () => {
  it('is stored once: a repeat gets the stored message, and the sends in its batch are stored all the same', async () => {
    const room = await stack.createRoom('Repeats');
    const events = await listen<MessageEvent>(stack.nc, roomSubject(room.id));
    const id = randomUUID();
    const first = await send(room.id, 'once', { id });
    expect(first.id).toBe(id);
    await announced(id);

    // A client's repeat carries no attempt number: the group commit meets the id taken, and writes the rest again.
    const [again, ...others] = await Promise.all([
      send(room.id, 'once', { id }),
      ...Array.from({ length: 5 }, (_, i) => send(room.id, `other ${i}`)),
    ]);
    expect(again).toEqual(first);
    expect(others.map((m) => m.seq).sort()).toEqual([2, 3, 4, 5, 6]);
    // A retry (attempt 2) looks first, and gets the same.
    expect(await send(room.id, 'once', { id, attempt: 2 })).toEqual(first);
    expect(await storedSeqs(room.id)).toEqual([1, 2, 3, 4, 5, 6]);

    await events.waitFor(6);
    await events.settle();
    expect(events.received.filter((e) => e.message.id === id)).toEqual([
      { type: 'message', room: room.id, message: first },
    ]);
    await events.stop();
  });

  it('is refused with BAD_REQUEST when the id is taken in another room, and the rest of its batch is stored', async () => {
    const [here, there] = [await stack.createRoom('Id here'), await stack.createRoom('Id there')];
    const id = randomUUID();
    await send(here.id, 'mine', { id });

    const [taken, fine] = await Promise.allSettled([send(there.id, 'mine', { id }), send(there.id, 'fine')]);
    const error = (taken as PromiseRejectedResult).reason as ChatError;
    expect([error.code, error.message]).toEqual([
      'BAD_REQUEST',
      `message id ${id} is taken by a message in another room; a new message needs a new id`,
    ]);
    expect((fine as PromiseFulfilledResult<ChatMessage>).value.seq).toBe(1);
    expect((await refusal(send(there.id, 'mine', { id, attempt: 2 }))).code).toBe('BAD_REQUEST');
    expect(await storedSeqs(there.id)).toEqual([1]);

    // Twins in one batch, one per room: the first is stored, the other refused.
    const twin = randomUUID();
    const outcomes = await Promise.allSettled([
      send(here.id, 'twin', { id: twin }),
      send(there.id, 'twin', { id: twin }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as ChatError).code).toBe('BAD_REQUEST');
  });

  it("is refused with BAD_REQUEST when the id is another user's message, never answered with it", async () => {
    const room = await stack.createRoom('Not yours');
    const id = randomUUID();
    await send(room.id, 'alice says', { id });
    const error = await refusal(send(room.id, 'bob says', { id, author: bob }));
    expect([error.code, error.message]).toEqual([
      'BAD_REQUEST',
      `message id ${id} is taken by another user's message; a new message needs a new id`,
    ]);
    expect(await storedSeqs(room.id)).toEqual([1]);
  });

  it('arriving at two rooms instances at once, is stored once and every copy gets the same answer', async () => {
    await stack.addRoomsInstance();
    const room = await stack.createRoom('Twins apart');
    const ids = Array.from({ length: 40 }, () => randomUUID());
    // Each id three times at once (queue group: some at each instance), among as many sends of their own.
    const repeats = ids.flatMap((id, i) => [0, 1, 2].map(() => send(room.id, `twin ${i}`, { id })));
    const singles = ids.map((_, i) => send(room.id, `single ${i}`));
    const answers = await Promise.all(repeats);
    await Promise.all(singles);

    for (let i = 0; i < ids.length; i++) {
      const copies = answers.slice(i * 3, i * 3 + 3);
      expect(copies[1]).toEqual(copies[0]);
      expect(copies[2]).toEqual(copies[0]);
      expect(copies[0]?.id).toBe(ids[i]);
    }
    expect(await storedSeqs(room.id)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
  });
});
