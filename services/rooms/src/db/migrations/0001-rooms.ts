import { type Kysely, sql } from 'kysely';
import { ROOMS_SCHEMA } from '../schema.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const schema = db.schema.withSchema(ROOMS_SCHEMA);
  await schema
    .createTable('rooms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('staff_only', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await schema
    .createTable('messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('author_username', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    // Also the index behind "the latest N messages before seq" (a backward scan of one room's range).
    .addUniqueConstraint('messages_room_seq', ['room_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema(ROOMS_SCHEMA).dropTable('messages').execute();
  await db.schema.withSchema(ROOMS_SCHEMA).dropTable('rooms').execute();
}
