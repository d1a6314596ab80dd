import { type Kysely, sql } from 'kysely';
import { ROOMS_SCHEMA } from '../schema.js';

/**
 * The outbox of message events: the group commit adds a row for every message it stores, and the row goes once
 * NATS has taken the message's event. A rooms instance that dies between the two leaves its rows behind, and any
 * instance announces them (messages/outbox.ts). A table of its own, not a column of messages: the rows come and
 * go within milliseconds, and deleting them from a small table dirties no page of the big one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema(ROOMS_SCHEMA)
    .createTable('unannounced')
    .addColumn('message_id', 'uuid', (c) => c.primaryKey().references('messages.id').onDelete('cascade'))
    .addColumn('committed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema(ROOMS_SCHEMA).dropTable('unannounced').execute();
}
