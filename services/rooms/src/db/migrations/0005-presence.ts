import { type Kysely, sql } from 'kysely';
import { ROOMS_SCHEMA } from '../schema.js';

/**
 * Who is in which room, per user and per gateway process: kept in the database, so that every rooms instance
 * sees the same presence and a gateway that dies can be taken out by any of them (`gateways` says when each
 * gateway was last heard; see presence/store.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const schema = db.schema.withSchema(ROOMS_SCHEMA);
  await schema
    .createTable('gateways')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await schema
    .createTable('presence')
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    // '' for joins that name no gateway (tools, tests): never swept.
    .addColumn('gateway', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('sockets', 'integer', (c) => c.notNull())
    // Also the index behind a room's member pages, in user id order.
    .addPrimaryKeyConstraint('presence_pkey', ['room_id', 'user_id', 'gateway'])
    .execute();
  await schema.createIndex('presence_gateway').on('presence').column('gateway').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema(ROOMS_SCHEMA).dropTable('presence').execute();
  await db.schema.withSchema(ROOMS_SCHEMA).dropTable('gateways').execute();
}
