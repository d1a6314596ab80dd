/** One auth service on a real nats-server and a fresh Postgres database, reached over real HTTP. */
import { createTestDatabase, generateSigningKeys, startNatsServer, restClient } from '@chat/test-kit';
import { authConfigFromEnv, buildApp, createSuperuser } from '../src/index.js';

export async function startAuth(extraEnv: Record<string, string> = {}) {
  const nats = await startNatsServer();
  const database = await createTestDatabase();
  const keys = generateSigningKeys();
  const config = authConfigFromEnv({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'warn',
    NATS_URL: nats.url,
    DATABASE_URL: database.url,
    JWT_PRIVATE_KEY: keys.privateKey,
    JWT_PUBLIC_KEY: keys.publicKey,
    ...extraEnv,
  });
  const app = await buildApp(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const { call, login, getUntil } = restClient(base);

  return {
    app,
    base,
    nats,
    keys,
    databaseUrl: database.url,
    call,
    login,
    getUntil,
    createSuperuser: (u: string, p: string) => createSuperuser(database.url, u, p),
    /** Takes the database away under the running service (dropped, or the embedded server stopped). */
    dropDatabase: () => database.drop(),
    async stop() {
      await app.close();
      await nats.stop();
      await database.drop();
    },
  };
}
export type AuthHarness = Awaited<ReturnType<typeof startAuth>>;
