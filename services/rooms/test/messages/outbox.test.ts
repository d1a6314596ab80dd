/**
 * No committed message is left unannounced: one whose instance died between the commit and the event (here its
 * rows are written as that instance left them) is announced by a live instance's sweep, and its row cleared.
 */
import { randomUUID } from 'node:crypto';
import { type ChatMessage, Subjects, RoomEventHeaders, roomSubject } from '@chat/protocol';
import { request } from '@chat/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRACE_MS, SWEEP_EVERY_MS } from '../../src/messages/outbox.js';
import { type Stack, startStack, type TestUser } from '../stack.js';

let stack: Stack;
let alice: TestUser;

beforeAll(async () => {
  stack = await startStack();
  alice = await stack.createUser('alice');
});
afterAll(() => stack?.close());

/** What a rooms instance leaves when it dies right after its commit: the message, and its outbox row. */
async function commitWithoutAnnouncing(room: string, text: string): Promise<string> {
  const id = randomUUID();
  await stack.sql.query(
    `WITH bumped AS (UPDATE rooms.rooms SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq),
       stored AS (
         INSERT INTO rooms.messages (id, room_id, seq, author_id, author_username, text, created_at)
         SELECT $2, $1, last_seq, $3, $4, $5, now() FROM bumped RETURNING id
       )
     INSERT INTO rooms.unannounced (message_id) SELECT id FROM stored`,
    [room, id, alice.id, alice.username, text],
  );
  return id;
}

describe('a message committed and never announced', () => {
  it('is announced once by a live instance, in its room with its seq, and leaves the outbox', async () => {
    const room = await stack.createRoom('Left behind');
    const events: { seq: string | undefined; frame: { message: ChatMessage } }[] = [];
    const sub = stack.nc.subscribe(roomSubject(room.id), {
      callback: (_err, msg) => {
        events.push({ seq: msg.headers?.get(RoomEventHeaders.seq), frame: msg.json() });
      },
    });
    await stack.nc.flush();

    const committedAt = Date.now();
    const id = await commitWithoutAnnouncing(room.id, 'orphan');
    const bound = GRACE_MS + SWEEP_EVERY_MS;
    while (events.length === 0 && Date.now() - committedAt < bound * 5) await new Promise((r) => setTimeout(r, 20));
    const latency = Date.now() - committedAt;

    expect(events).toHaveLength(1);
    expect(events[0]?.seq).toBe('1');
    expect(events[0]?.frame.message).toMatchObject({ id, seq: 1, text: 'orphan', author: { id: alice.id } });
    // Within the documented bound, with room for a busy machine.
    expect(latency).toBeLessThan(bound * 5);
    // The sweep publishes inside its transaction and deletes the row as it commits: the event can arrive first.
    let rows: unknown[] = [];
    do {
      ({ rows } = await stack.sql.query('SELECT 1 FROM rooms.unannounced'));
      if (rows.length > 0) await new Promise((r) => setTimeout(r, 20));
    } while (rows.length > 0 && Date.now() - committedAt < bound * 5);
    expect(rows).toEqual([]);

    // The next message follows it, announced once as usual.
    const next = await request<ChatMessage>(stack.nc, Subjects.rooms.send, {
      room: room.id,
      author: { id: alice.id, username: alice.username },
      text: 'next',
    });
    expect(next.seq).toBe(2);
    while (events.length < 2) await new Promise((r) => setTimeout(r, 10));
    await stack.nc.flush();
    expect(events.map((e) => e.frame.message.seq)).toEqual([1, 2]);
    sub.unsubscribe();
  });
});
