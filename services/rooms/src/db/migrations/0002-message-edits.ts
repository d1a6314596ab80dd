import type { Kysely } from 'kysely';
import { ROOMS_SCHEMA } from '../schema.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema(ROOMS_SCHEMA)
    .alterTable('messages')
    .addColumn('edited_at', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema(ROOMS_SCHEMA)
    .alterTable('messages')
    .dropColumn('edited_at')
    .dropColumn('deleted_at')
    .execute();
}
