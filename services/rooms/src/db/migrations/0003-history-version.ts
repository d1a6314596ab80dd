import type { Kysely } from 'kysely';
import { ROOMS_SCHEMA } from '../schema.js';

/** Counts edits and deletions per room: with last_seq it tells whether kept recent history is current. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema(ROOMS_SCHEMA)
    .alterTable('rooms')
    .addColumn('history_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema(ROOMS_SCHEMA).alterTable('rooms').dropColumn('history_version').execute();
}
