/** The services' Postgres: a server the caller names (DATABASE_URL), or embedded ones kept in the data folder. */
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@chat/embedded-postgres';

export interface Databases {
  /** Each service's connection string. */
  urls: { auth: string; rooms: string };
  /** True when they are embedded: such a database serves one session at a time. */
  embedded: boolean;
  /** Closes the embedded databases (writing them out); nothing for a server the caller runs. */
  stop(): Promise<void>;
}

export type DatabaseOptions = { url: string } | { embeddedIn: string };

export async function startDatabases(options: DatabaseOptions): Promise<Databases> {
  if ('url' in options)
    return { urls: { auth: options.url, rooms: options.url }, embedded: false, stop: async () => {} };
  const auth = await startEmbeddedDatabase(options.embeddedIn, 'auth');
  const rooms = await startEmbeddedDatabase(options.embeddedIn, 'rooms').catch(async (err: unknown) => {
    await auth.stop();
    throw err;
  });
  return {
    urls: { auth: auth.url, rooms: rooms.url },
    embedded: true,
    async stop() {
      await Promise.all([auth.stop(), rooms.stop()]);
    },
  };
}

/** One service's embedded database (PGlite over the wire protocol) in `dataDir`/pglite/`name`, on a free port. */
export function startEmbeddedDatabase(dataDir: string, name: 'auth' | 'rooms') {
  return startEmbeddedPostgres({ dataDir: join(dataDir, 'pglite', name), port: 0 });
}
