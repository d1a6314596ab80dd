/**
 * A group commit that fails answers every send in it UNAVAILABLE; its one log line names the request id of each,
 * so a user who reports the id of a failed send finds the batch it failed in.
 */
import type { ChatError } from '@chat/protocol';
import { openDatabase, type ServiceDatabase } from '@chat/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations/index.js';
import { ROOMS_SCHEMA, type RoomsDatabase } from '../../src/db/schema.js';
import { MessageWriter } from '../../src/messages/writer.js';
import type { RoomEvents } from '../../src/nats/room-events.js';
import { type Stack, startStack, type TestUser } from '../stack.js';

let stack: Stack;
let alice: TestUser;
let database: ServiceDatabase<RoomsDatabase>;

beforeAll(async () => {
  stack = await startStack();
  alice = await stack.createUser('alice');
  // A writer of the test's own, on the stack's database, so that the test reads what it logs.
  database = await openDatabase<RoomsDatabase>({
    url: stack.databaseUrl,
    schema: ROOMS_SCHEMA,
    poolMax: 1,
    migrations,
  });
});
afterAll(async () => {
  await database?.close();
  await stack?.close();
});

const noEvents: RoomEvents = { message() {}, joined() {}, left() {}, edited() {}, deleted() {}, flush() {} };
const noOutbox = { announced() {} };

describe('a failed batch of messages', () => {
  it('is logged once, naming the request id of every send in it', async () => {
    const room = await stack.createRoom('Brittle');
    const errors: { obj: Record<string, unknown>; msg: string }[] = [];
    const logger = { error: (obj: object, msg: string) => errors.push({ obj: obj as Record<string, unknown>, msg }) };
    const writer = new MessageWriter(database.db, database.pool, noEvents, noOutbox, { logger });
    const author = { id: alice.id, username: alice.username };
    const requestIds = ['gw1-a', 'gw1-b', 'gw2-c'];

    await stack.sql.query('ALTER TABLE rooms.messages RENAME TO messages_gone');
    try {
      // Sent in one turn: one batch.
      const sends = requestIds.map((requestId, i) =>
        writer.send(room.id, author, `lost ${i}`, { isStaff: false }, { requestId }),
      );
      const results = await Promise.allSettled(sends);
      for (const result of results) {
        expect(result.status).toBe('rejected');
        expect(((result as PromiseRejectedResult).reason as ChatError).code).toBe('UNAVAILABLE');
      }
    } finally {
      await stack.sql.query('ALTER TABLE rooms.messages_gone RENAME TO messages');
    }

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: 'message batch failed', obj: { messages: 3, requestIds } });
    await writer.close();
  });
});
