// Embedded Postgres for local runs without a database server: PGlite (Postgres compiled to WASM) kept in a
// data folder and served over the Postgres wire protocol, so the services talk plain pg either way.
// One PGlite per service, because one PGlite is one Postgres session: sharing it between two connection
// pools would interleave their transactions.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export async function startEmbeddedPostgres(dataDir, name, port) {
  const dir = join(dataDir, 'pglite', name);
  mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  // The service holds one connection; the rest let createsuperuser in while the stack runs.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 4 });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
