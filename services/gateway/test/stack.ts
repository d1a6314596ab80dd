/**
 * The whole backend in one test process: a real nats-server on a free port, a fresh Postgres database, and
 * the auth, rooms and gateway services through their buildApp, reached over real HTTP and WebSockets.
 */
import { authConfigFromEnv, buildApp as buildAuth, createSuperuser } from '@chat/auth';
import { buildApp as buildRooms, roomsConfigFromEnv } from '@chat/rooms';
import { createTestDatabase, generateSigningKeys, openSocket, startNatsServer, type TestSocket } from '@chat/test-kit';
import type { FastifyInstance } from 'fastify';
import { buildApp as buildGateway, gatewayConfigFromEnv } from '../src/index.js';

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('not listening');
  return `http://127.0.0.1:${address.port}`;
}

export async function startStack(gatewayEnv: Record<string, string> = {}) {
  const nats = await startNatsServer();
  const database = await createTestDatabase();
  const keys = generateSigningKeys();
  const common = { NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'warn', NATS_URL: nats.url, JWT_PUBLIC_KEY: keys.publicKey };
  const auth = await buildAuth(
    authConfigFromEnv({
      ...common,
      DATABASE_URL: database.url,
      JWT_PRIVATE_KEY: keys.privateKey,
      LOGIN_RATE_LIMIT: '1000',
    }),
  );
  const authUrl = await listen(auth);
  const rooms = await buildRooms(roomsConfigFromEnv({ ...common, DATABASE_URL: database.url }));
  const roomsUrl = await listen(rooms);
  const gateway = await buildGateway(
    gatewayConfigFromEnv({
      ...common,
      AUTH_URL: authUrl,
      ROOMS_URL: roomsUrl,
      ALLOWED_ORIGINS: 'http://chat.test',
      ...gatewayEnv,
    }),
  );
  const base = await listen(gateway);
  const wsUrl = `${base.replace('http', 'ws')}/ws`;

  async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
    const headers: Record<string, string> = {};
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
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token;
  }

  await createSuperuser(database.url, 'admin', 'admin-password');
  const adminToken = await login('admin', 'admin-password');

  let userCount = 0;
  /** A new user with a unique name; returns its id, name and a token. */
  async function user(options: { isStaff?: boolean; isAdmin?: boolean; name?: string } = {}) {
    const username = options.name ?? `user${++userCount}`;
    const password = `${username}-password`;
    const res = await call('POST', '/api/auth/users', {
      token: adminToken,
      body: { username, password, isStaff: options.isStaff ?? false, isAdmin: options.isAdmin ?? false },
    });
    if (res.status !== 201) throw new Error(`create ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id as string, username, password, token: await login(username, password) };
  }

  async function room(title: string, staffOnly = false): Promise<string> {
    const res = await call('POST', '/api/rooms', { token: adminToken, body: { title, staffOnly } });
    if (res.status !== 201) throw new Error(`create room ${title}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  const sockets: TestSocket[] = [];
  async function socket(token: string): Promise<TestSocket> {
    const s = await openSocket(wsUrl, { token });
    sockets.push(s);
    return s;
  }

  return {
    base,
    wsUrl,
    nats,
    databaseUrl: database.url,
    adminToken,
    call,
    login,
    user,
    room,
    socket,
    apps: { auth, rooms, gateway },
    async stop() {
      for (const s of sockets) s.ws.terminate();
      await Promise.all(sockets.map((s) => s.closed));
      await gateway.close();
      // Let the leave notices of the sockets just closed finish before their handler goes.
      await new Promise((r) => setTimeout(r, 100));
      await rooms.close();
      await auth.close();
      await nats.stop();
      await database.drop();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;
