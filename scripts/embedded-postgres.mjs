// Embedded Postgres for local runs without a database server (see packages/embedded-postgres): one PGlite per
// service, kept in the data folder, served over the Postgres wire protocol so the services talk plain pg.
import { join } from 'node:path';
import { startEmbeddedPostgres as start } from '@chat/embedded-postgres';

export function startEmbeddedPostgres(dataDir, name, port) {
  return start({ dataDir: join(dataDir, 'pglite', name), port });
}
