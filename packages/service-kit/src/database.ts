/** Kysely over pg for one service: its own Postgres schema, its own migrations, run at start. */
import { Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

// int8 (bigint) columns such as seq come back as numbers: they stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

export interface DatabaseOptions {
  url: string;
  /** The Postgres schema this service owns; no other service touches it. */
  schema: string;
  poolMax: number;
  /** How long an unused connection stays open (pg's idleTimeoutMillis; 0 keeps it). Default 10 s. */
  idleTimeoutMs?: number;
  migrations: Record<string, Migration>;
}

/** A pg pool, for callers that need a statement Kysely cannot express (a named one). */
export type DatabasePool = pg.Pool;

export interface ServiceDatabase<DB> {
  db: Kysely<DB>;
  /** The pool under `db`, for the odd hot statement that must be prepared once per connection (named). */
  pool: DatabasePool;
  close(): Promise<void>;
}

export async function openDatabase<DB>(options: DatabaseOptions): Promise<ServiceDatabase<DB>> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    idleTimeoutMillis: options.idleTimeoutMs ?? 10_000,
    connectionTimeoutMillis: 5000,
  });
  // An idle client that loses its server (Postgres restart) must not crash the process.
  pool.on('error', () => {});
  // A checked-out client whose server goes away emits 'error' as well, and the pool only listens on idle
  // ones: without this a Postgres restart under load would kill the process. The query under way still fails.
  pool.on('connect', (client) => client.on('error', () => {}));
  const root = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(options.schema)}`.execute(root);
  const migrator = new Migrator({
    db: root,
    migrationTableSchema: options.schema,
    provider: { getMigrations: async () => options.migrations },
  });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await root.destroy();
    throw error;
  }
  return { db: root.withSchema(options.schema), pool, close: () => root.destroy() };
}
