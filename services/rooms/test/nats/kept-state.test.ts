/**
 * Joins answer from a kept room state, and every event of the room forgets it. Here the changes are made the
 * way another rooms instance would make them (straight in the shared database, then announced on NATS), so
 * what is checked is that this instance never answers from a state older than an announced change.
 */
import { ChatError, type JoinResult, RoomEventHeaders, roomSubject, Subjects } from '@chat/protocol';
import { headers, request } from '@chat/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, type TestUser } from '../stack.js';

let stack: Stack;
let alice: TestUser;
beforeAll(async () => {
  stack = await startStack();
  alice = await stack.createUser('alice');
});
afterAll(() => stack?.close());

const join = (room: string) =>
  request<JoinResult>(stack.nc, Subjects.rooms.join, { room, user: { id: alice.id, username: alice.username } });

describe('a room changed by another instance', () => {
  it('is refused to a non-staff user as soon as it is announced staff-only', async () => {
    const room = await stack.createRoom('Turning');
    expect((await join(room.id)).room.staffOnly).toBe(false);
    await stack.sql.query('UPDATE rooms.rooms SET staff_only = true WHERE id = $1', [room.id]);
    stack.nc.publish(Subjects.roomsChanged, JSON.stringify({ kind: 'updated', room: { ...room, staffOnly: true } }));
    const refused = await join(room.id).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ChatError);
    expect((refused as ChatError).code).toBe('ROOM_ACCESS_DENIED');
  });

  it('is answered afresh after any message or change announced in the room', async () => {
    const room = await stack.createRoom('Renaming');
    await join(room.id);
    await stack.sql.query("UPDATE rooms.rooms SET title = 'Renamed once' WHERE id = $1", [room.id]);
    stack.nc.publish(roomSubject(room.id), JSON.stringify({ type: 'edited', room: room.id, message: {} }));
    expect((await join(room.id)).room.title).toBe('Renamed once');

    await stack.sql.query("UPDATE rooms.rooms SET title = 'Renamed twice' WHERE id = $1", [room.id]);
    stack.nc.publish(roomSubject(room.id), JSON.stringify({ type: 'message', room: room.id, message: {} }));
    expect((await join(room.id)).room.title).toBe('Renamed twice');
  });

  it('is kept across join and leave notices, told apart by their Chat-Event header', async () => {
    const room = await stack.createRoom('Busy door');
    await join(room.id);
    await stack.sql.query("UPDATE rooms.rooms SET title = 'Quietly renamed' WHERE id = $1", [room.id]);
    const notice = (type: string) => {
      const h = headers();
      h.set(RoomEventHeaders.type, type);
      const body = JSON.stringify({ type, room: room.id, users: [{ id: alice.id, username: alice.username }] });
      stack.nc.publish(roomSubject(room.id), body, { headers: h });
    };
    notice('joined');
    notice('left');
    // Joins answer from the kept state: a crowd's notices cost no reads (the title is the one kept).
    expect((await join(room.id)).room.title).toBe('Busy door');
    // Any other event, or one without the header, is a change.
    stack.nc.publish(roomSubject(room.id), JSON.stringify({ type: 'message', room: room.id, message: {} }));
    expect((await join(room.id)).room.title).toBe('Quietly renamed');
  });

  it('is read afresh after NATS was down, when announcements may have been missed', async () => {
    const room = await stack.createRoom('Blackout');
    expect((await join(room.id)).room.staffOnly).toBe(false);
    await stack.natsServer.stop();
    // Changed while nobody could hear about it.
    await stack.sql.query('UPDATE rooms.rooms SET staff_only = true WHERE id = $1', [room.id]);
    await stack.natsServer.restart();
    const refused = await untilAnswered(() => join(room.id));
    expect(refused).toBeInstanceOf(ChatError);
    expect((refused as ChatError).code).toBe('ROOM_ACCESS_DENIED');
  });
});

/** Asks until the answer is not "unavailable" (the connections are coming back); returns the answer or error. */
async function untilAnswered(ask: () => Promise<unknown>): Promise<unknown> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const outcome = await ask().catch((err: unknown) => err);
    const unavailable = outcome instanceof ChatError && outcome.code === 'UNAVAILABLE';
    if (!unavailable || Date.now() > deadline) return outcome;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
