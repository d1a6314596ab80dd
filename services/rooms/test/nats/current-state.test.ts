/**
 * No access decision rests on an event having arrived. Here every change is made behind the services' backs,
 * straight in the database with no announcement, as a change whose event was lost between two NATS nodes
 * leaves things: joins see it at once, and so do the per-request checks of the room; the per-request checks of
 * the user see it within USER_CACHE_TTL_MS (short here).
 */
import { type ChatMessage, type ChatError, type JoinResult, Subjects } from '@chat/protocol';
import { request } from '@chat/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, type TestUser } from '../stack.js';
import { refusal } from '../refusal.js';

const USER_CACHE_TTL_MS = 1000;

let stack: Stack;
let alice: TestUser;
let staffer: TestUser;
beforeAll(async () => {
  stack = await startStack({ roomsEnv: { USER_CACHE_TTL_MS: String(USER_CACHE_TTL_MS) } });
  [alice, staffer] = await Promise.all([stack.createUser('alice'), stack.createUser('staffer', { isStaff: true })]);
});
afterAll(() => stack?.close());

const ref = (user: TestUser) => ({ id: user.id, username: user.username });
const join = (room: string, user: TestUser) =>
  request<JoinResult>(stack.nc, Subjects.rooms.join, { room, user: ref(user) });
const send = (room: string, user: TestUser, text: string, epoch?: number) =>
  request<ChatMessage>(stack.nc, Subjects.rooms.send, { room, author: ref(user), text, ...(epoch ? { epoch } : {}) });

/** Changes the database with no announcement, as if the change's event had been lost. */
const unannounced = (statement: string, id: string) => stack.sql.query(statement, [id]);

describe('a room changed with no announcement', () => {
  it('made staff-only: joins, sends, edits, deletions and history are refused to non-staff at once', async () => {
    const room = await stack.createRoom('Quietly closed');
    const { room: joined } = await join(room.id, alice);
    const mine = await send(room.id, alice, 'before', joined.epoch);
    await send(room.id, staffer, 'staff before', joined.epoch);

    await unannounced('UPDATE rooms.rooms SET staff_only = true WHERE id = $1', room.id);

    expect(await refusal(join(room.id, alice))).toBe('ROOM_ACCESS_DENIED');
    expect(await refusal(send(room.id, alice, 'after', joined.epoch))).toBe('ROOM_ACCESS_DENIED');
    const target = { room: room.id, epoch: joined.epoch, id: mine.id, user: ref(alice) };
    expect(await refusal(request(stack.nc, Subjects.rooms.edit, { ...target, text: 'changed' }))).toBe(
      'ROOM_ACCESS_DENIED',
    );
    expect(await refusal(request(stack.nc, Subjects.rooms.delete, target))).toBe('ROOM_ACCESS_DENIED');
    expect(await refusal(request(stack.nc, Subjects.rooms.history, { room: room.id, user: ref(alice) }))).toBe(
      'ROOM_ACCESS_DENIED',
    );
    // Staff go on, and the refused message left no hole in the seqs.
    expect((await join(room.id, staffer)).room.staffOnly).toBe(true);
    expect((await send(room.id, staffer, 'staff after', joined.epoch)).seq).toBe(3);
  });

  it('opened again: non-staff are let in at once', async () => {
    const room = await stack.createRoom('Quietly opened', true);
    expect(await refusal(join(room.id, alice))).toBe('ROOM_ACCESS_DENIED');
    await unannounced('UPDATE rooms.rooms SET staff_only = false WHERE id = $1', room.id);
    const { room: joined } = await join(room.id, alice);
    expect((await send(room.id, alice, 'in at last', joined.epoch)).seq).toBe(1);
  });

  it('re-created (a new epoch): a send for the old incarnation is refused as a gone room', async () => {
    const room = await stack.createRoom('Quietly re-created');
    const { room: old } = await join(room.id, alice);
    await send(room.id, alice, 'first life', old.epoch);
    await unannounced("UPDATE rooms.rooms SET epoch = nextval('rooms.room_epochs') WHERE id = $1", room.id);
    expect(await refusal(send(room.id, alice, 'to the old room', old.epoch))).toBe('ROOM_INVALID');
    const { room: now } = await join(room.id, alice);
    expect(now.epoch).not.toBe(old.epoch);
    expect((await send(room.id, alice, 'second life', now.epoch)).seq).toBe(2);
  });

  it('keeps the seqs whole when one batch holds messages it takes and messages it refuses', async () => {
    const room = await stack.createRoom('Mixed batch');
    const { room: joined } = await join(room.id, alice);
    await unannounced('UPDATE rooms.rooms SET staff_only = true WHERE id = $1', room.id);
    // Sent in one turn: they reach the writer together.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => send(room.id, i % 2 === 0 ? staffer : alice, `m${i}`, joined.epoch)),
    );
    const stored = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    expect(stored.map((m) => m.author.id)).toEqual(Array(5).fill(staffer.id));
    expect(stored.map((m) => m.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    for (const o of outcomes.filter((o) => o.status === 'rejected')) {
      expect(((o as PromiseRejectedResult).reason as ChatError).code).toBe('ROOM_ACCESS_DENIED');
    }
  });
});

describe('a user changed with no announcement', () => {
  it('demoted: a join of a staff-only room is refused at once, and a send within USER_CACHE_TTL_MS', async () => {
    const demoted = await stack.createUser('quietly-demoted', { isStaff: true });
    const room = await stack.createRoom('Staff room', true);
    const { room: joined } = await join(room.id, demoted);
    await send(room.id, demoted, 'as staff', joined.epoch); // the rooms service now keeps their flags

    await unannounced('UPDATE auth.users SET is_staff = false WHERE id = $1', demoted.id);

    expect(await refusal(join(room.id, demoted))).toBe('ROOM_ACCESS_DENIED');
    // A send may still be judged by the kept flags, but never once they are older than the bound.
    await new Promise((resolve) => setTimeout(resolve, USER_CACHE_TTL_MS + 100));
    expect(await refusal(send(room.id, demoted, 'still staff?', joined.epoch))).toBe('ROOM_ACCESS_DENIED');
  });

  it('promoted: a join of a staff-only room is let in at once', async () => {
    const promoted = await stack.createUser('quietly-promoted');
    const room = await stack.createRoom('Staff room too', true);
    expect(await refusal(join(room.id, promoted))).toBe('ROOM_ACCESS_DENIED');
    await unannounced('UPDATE auth.users SET is_staff = true WHERE id = $1', promoted.id);
    expect((await join(room.id, promoted)).room.id).toBe(room.id);
  });

  it('disabled: a join is refused at once, and a send within USER_CACHE_TTL_MS', async () => {
    const disabled = await stack.createUser('quietly-disabled');
    const room = await stack.createRoom('Open room');
    const { room: joined } = await join(room.id, disabled);
    await send(room.id, disabled, 'hello', joined.epoch);

    await unannounced('UPDATE auth.users SET disabled = true WHERE id = $1', disabled.id);

    expect(await refusal(join(room.id, disabled))).toBe('USER_DISABLED');
    await new Promise((resolve) => setTimeout(resolve, USER_CACHE_TTL_MS + 100));
    expect(await refusal(send(room.id, disabled, 'still here?', joined.epoch))).toBe('USER_DISABLED');
  });
});
