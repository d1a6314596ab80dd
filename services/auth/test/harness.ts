/** One auth service on a real nats-server and a fresh Postgres database, reached over real HTTP. */
import { createTestDatabase, generateSigningKeys, startNatsServer } from '@chat/test-kit';
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

  async function call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  async function login(username: string, password: string): Promise<string> {
    const res = await call('POST', '/api/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token as string;
  }

  return {
    app,
    base,
    nats,
    keys,
    databaseUrl: database.url,
    call,
    login,
    createSuperuser: (u: string, p: string) => createSuperuser(database.url, u, p),
    async stop() {
      await app.close();
      await nats.stop();
      await database.drop();
    },
  };
}
export type AuthHarness = Awaited<ReturnType<typeof startAuth>>;
