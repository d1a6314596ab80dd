/** Kysely over pg for one service: its own Postgres schema, its own migrations, run at start. */
import { Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

/**
 * How the service's pools parse values: int8 (bigint) columns such as seq, last_seq and epoch, and counts,
 * come back as numbers (they stay far below 2^53). Given to each pool, so importing this changes nothing
 * for other pg users in the process.
 */
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

/** Where the pool's connection errors are told (pino's logger is one). */
export interface DatabaseLogger {
  warn(obj: object, msg: string): void;
}

/** Without a service logger (a command-line tool): warnings go to stderr. */
const stderrLogger: DatabaseLogger = {
  warn: (obj, msg) => console.warn(msg, obj),
};

export interface DatabaseOptions {
  url: string;
  /** The Postgres schema this service owns; no other service touches it. */
  schema: string;
  poolMax: number;
  /** How long an unused connection stays open (pg's idleTimeoutMillis; 0 keeps it). Default 10 s. */
  idleTimeoutMs?: number;
  migrations: Record<string, Migration>;
  /** Default: stderr. */
  log?: DatabaseLogger;
}

/** A pg pool, for callers that need a statement Kysely cannot express (a named one). */
export type DatabasePool = pg.Pool;

export interface ServiceDatabase<DB> {
  db: Kysely<DB>;
  /** The pool under `db`, for the odd hot statement that must be prepared once per connection (named). */
  pool: DatabasePool;
  close(): Promise<void>;
}

function toldByClientListener(): void {}

export async function openDatabase<DB>(options: DatabaseOptions): Promise<ServiceDatabase<DB>> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    idleTimeoutMillis: options.idleTimeoutMs ?? 10_000,
    connectionTimeoutMillis: 5000,
    types,
  });
  const log = options.log ?? stderrLogger;
  // A client whose server goes away (Postgres restart) emits 'error', idle or checked out; the pool listens
  // only on idle ones: without this a restart under load would kill the process. The query under way still
  // fails; the pool opens new connections as they are needed.
  pool.on('connect', (client) => client.on('error', (err) => log.warn({ err }, 'database connection lost')));
  // An idle client's error is re-emitted by the pool: told once already, by the listener above.
  pool.on('error', toldByClientListener);
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
