/**
 * The whole backend in one test process: a real nats-server on a free port (or one the test started, e.g.
 * with deploy/nats-server.conf), a fresh Postgres database, and the auth, rooms and gateway services through
 * their buildApp, reached over real HTTP and WebSockets. Per-service environment and the signing keys (to
 * forge tokens) are available to the tests that need them.
 */
import { request as httpRequest } from 'node:http';
import { authConfigFromEnv, buildApp as buildAuth, createSuperuser } from '@chat/auth';
import { buildApp as buildRooms, roomsConfigFromEnv } from '@chat/rooms';
import {
  createTestDatabase,
  generateSigningKeys,
  type NatsServerHandle,
  openSocket,
  startNatsServer,
  type TestSocket,
  restClient,
} from '@chat/test-kit';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp as buildGateway, gatewayConfigFromEnv } from '../src/index.js';

type Env = Record<string, string>;

export interface StackOptions {
  authEnv?: Env;
  roomsEnv?: Env;
  gatewayEnv?: Env;
  /** A nats-server the test started (and stops) itself; by default the stack starts a plain one. */
  natsUrl?: string;
  /** More rooms instances beside the first, sharing its requests (queue group); none by default. */
  roomsTwins?: number;
  /** Where the gateway alone reaches NATS (e.g. through a proxy the test can cut); natsUrl by default. */
  gatewayNatsUrl?: string;
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('not listening');
  return `http://127.0.0.1:${address.port}`;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: { code?: string; [key: string]: unknown } | undefined;
}

/**
 * One HTTP request with nothing normalized: the path goes out as written (fetch would resolve `..`), the body
 * as given, with whatever content type the caller claims.
 */
export function rawHttp(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: RawResponse['json'];
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    // A server may answer (413) and close before a huge body is written: the answer is what counts.
    req.on('error', reject);
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

export async function startStack(options: StackOptions = {}) {
  const nats: NatsServerHandle | undefined = options.natsUrl ? undefined : await startNatsServer();
  const natsUrl = options.natsUrl ?? (nats as NatsServerHandle).url;
  const database = await createTestDatabase();
  const keys = generateSigningKeys();
  const common = { NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'warn', NATS_URL: natsUrl, JWT_PUBLIC_KEY: keys.publicKey };
  const auth = await buildAuth(
    authConfigFromEnv({
      ...common,
      DATABASE_URL: database.url,
      JWT_PRIVATE_KEY: keys.privateKey,
      LOGINS_PER_ADDRESS: '1000',
      ...options.authEnv,
    }),
  );
  const authUrl = await listen(auth);
  const rooms = await buildRooms(roomsConfigFromEnv({ ...common, DATABASE_URL: database.url, ...options.roomsEnv }));
  const roomsUrl = await listen(rooms);
  const roomsTwins: FastifyInstance[] = [];
  for (let i = 0; i < (options.roomsTwins ?? 0); i++) {
    const twin = await buildRooms(roomsConfigFromEnv({ ...common, DATABASE_URL: database.url, ...options.roomsEnv }));
    await twin.ready();
    roomsTwins.push(twin);
  }
  const gateway = await buildGateway(
    gatewayConfigFromEnv({
      ...common,
      NATS_URL: options.gatewayNatsUrl ?? natsUrl,
      AUTH_URL: authUrl,
      ROOMS_URL: roomsUrl,
      ALLOWED_ORIGINS: 'http://chat.test',
      // The tests open many sockets per user and send fast; the limits themselves are tested in limits.test.ts.
      MAX_CONNECTIONS_PER_USER: '1000',
      SENDS_PER_SECOND: '1000',
      JOINS_PER_SECOND: '1000',
      ...options.gatewayEnv,
    }),
  );
  const base = await listen(gateway);
  const wsUrl = `${base.replace('http', 'ws')}/ws`;

  const { call, login } = restClient(base);

  await createSuperuser(database.url, 'admin', 'admin-password');
  const adminToken = await login('admin', 'admin-password');

  let userCount = 0;
  /** A new user with a unique name; returns its id, name, password and a token. */
  async function user(opts: { isStaff?: boolean; isAdmin?: boolean; name?: string } = {}) {
    const username = opts.name ?? `user${++userCount}`;
    const password = `${username}-password`;
    const res = await call('POST', '/api/auth/users', {
      token: adminToken,
      body: { username, password, isStaff: opts.isStaff ?? false, isAdmin: opts.isAdmin ?? false },
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

  // Opened on first use: most suites never write to the tables themselves.
  let sql: pg.Pool | undefined;
  /**
   * Runs `statement` with `id` as $1 straight in Postgres, behind every service's back: nothing is announced,
   * as a change whose event was lost leaves things.
   */
  async function unannounced(statement: string, id: string): Promise<void> {
    sql ??= new pg.Pool({ connectionString: database.url, max: 1 });
    await sql.query(statement, [id]);
  }

  return {
    base,
    wsUrl,
    natsUrl,
    keys,
    databaseUrl: database.url,
    adminToken,
    call,
    raw: (method: string, path: string, opts?: Parameters<typeof rawHttp>[3]) => rawHttp(base, method, path, opts),
    login,
    user,
    room,
    socket,
    unannounced,
    apps: { auth, rooms, gateway },
    async stop() {
      await sql?.end();
      for (const s of sockets) s.ws.terminate();
      await Promise.all(sockets.map((s) => s.closed));
      await gateway.close();
      // Let the leave notices of the sockets just closed finish before their handler goes.
      await new Promise((r) => setTimeout(r, 100));
      for (const twin of roomsTwins) await twin.close();
      await rooms.close();
      await auth.close();
      await nats?.stop();
      await database.drop();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;
