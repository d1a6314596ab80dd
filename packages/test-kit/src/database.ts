/**
 * A fresh, empty Postgres database per test run, dropped afterwards: a database on the real server at
 * DATABASE_URL, or, with TEST_DATABASE=embedded, an embedded Postgres of its own (what `npm start` uses when no
 * server is configured), so the same suites prove both paths.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@chat/embedded-postgres';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Which database the suites run on: `postgres` (the server at DATABASE_URL) or `embedded`. */
export const testDatabaseKind: 'postgres' | 'embedded' =
  process.env.TEST_DATABASE === 'embedded' ? 'embedded' : 'postgres';

export async function createTestDatabase(prefix = 'chat_test'): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (testDatabaseKind === 'embedded') return createEmbeddedDatabase(name);
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

/** Fills `dataDir` with a freshly initialised embedded database, as a first start would (only faster). */
export async function seedEmbeddedDatabase(dataDir: string): Promise<void> {
  cpSync(await embeddedTemplate(), dataDir, { recursive: true });
}

async function createEmbeddedDatabase(name: string): Promise<TestDatabase> {
  const dataDir = join(mkdtempSync(join(tmpdir(), `${name}-`)), 'pglite');
  await seedEmbeddedDatabase(dataDir);
  const embedded = await startEmbeddedPostgres({ dataDir });
  let dropped: Promise<void> | undefined;
  return {
    url: embedded.url,
    name,
    drop() {
      dropped ??= embedded.stop().then(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));
      return dropped;
    },
  };
}

/**
 * A freshly initialised embedded data folder, made once per machine and copied for each test database: PGlite's
 * initdb takes seconds of CPU, a copy a fraction of one. Made under a temporary name and renamed into place, so
 * test processes that race to make it never see half of one.
 */
async function embeddedTemplate(): Promise<string> {
  const template = join(tmpdir(), `chat-embedded-postgres-template-v1`);
  if (existsSync(template)) return template;
  const making = `${template}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const embedded = await startEmbeddedPostgres({ dataDir: making });
  await embedded.stop();
  try {
    renameSync(making, template);
  } catch {
    rmSync(making, { recursive: true, force: true }); // another process made it first
  }
  return template;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
