/** Postgres for a machine with no database server: PGlite (Postgres compiled to WASM) over the wire protocol. */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { SessionServer } from './session-server.js';

export { SessionServer } from './session-server.js';

export interface EmbeddedPostgresOptions {
  /** Where the database lives; in memory when absent (tests). */
  dataDir?: string;
  host?: string;
  /** 0 (the default) for any free port. */
  port?: number;
}

export interface EmbeddedPostgres {
  /** A connection string for pg, psql or any Postgres client. */
  url: string;
  port: number;
  server: SessionServer;
  /** Closes every connection (rolling back what they left open), then writes the database out and closes it. */
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const server = new SessionServer(db);
  let port: number;
  try {
    port = await server.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    url: `postgres://postgres@${options.host ?? '127.0.0.1'}:${port}/postgres`,
    port,
    server,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
