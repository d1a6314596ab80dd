import { type Kysely, sql } from 'kysely';
import { ROOMS_SCHEMA } from '../schema.js';

/**
 * A room's incarnation: drawn from a sequence when the row is made, so a room deleted and created again under
 * the same id has a new epoch, and whatever was kept, granted or resumed for the old one can tell.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SEQUENCE ${sql.id(ROOMS_SCHEMA, 'room_epochs')}`.execute(db);
  await db.schema
    .withSchema(ROOMS_SCHEMA)
    .alterTable('rooms')
    .addColumn('epoch', 'bigint', (c) =>
      c.notNull().defaultTo(sql`nextval(${sql.lit(`${ROOMS_SCHEMA}.room_epochs`)}::regclass)`),
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema(ROOMS_SCHEMA).alterTable('rooms').dropColumn('epoch').execute();
  await sql`DROP SEQUENCE ${sql.id(ROOMS_SCHEMA, 'room_epochs')}`.execute(db);
}
