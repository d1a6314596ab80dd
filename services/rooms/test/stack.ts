/**
 * The whole back end a test needs, for real: a nats-server, a fresh Postgres database, the auth service and
 * the rooms service, both in process on free ports. One per test file; close() tears all of it down.
 */
import { authConfigFromEnv, buildApp as buildAuth, createSuperuser } from '@chat/auth';
import { connectNats, decodeJson, type NatsConnection } from '@chat/nats';
import { createTestDatabase, generateSigningKeys, type NatsServerHandle, startNatsServer } from '@chat/test-kit';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp as buildRooms } from '../src/app.js';
import { roomsConfigFromEnv } from '../src/config.js';

export interface TestUser {
  id: string;
  username: string;
  token: string;
}

export interface Response<T = unknown> {
  status: number;
  body: T;
}

export interface RequestOptions {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

const PASSWORD = 'correct horse battery';

export interface Stack {
  natsUrl: string;
  /** The stack's own nats-server, to stop and restart. */
  natsServer: NatsServerHandle;
  databaseUrl: string;
  rooms: FastifyInstance;
  roomsUrl: string;
  authUrl: string;
  /** A client connection of the test itself, as the gateway would have. */
  nc: NatsConnection;
  /** Straight SQL on the shared database, to check what was stored. */
  sql: pg.Pool;
  admin: TestUser;
  /** Creates a user through auth's admin API and logs them in. */
  createUser(username: string, flags?: { isStaff?: boolean; isAdmin?: boolean }): Promise<TestUser>;
  /** Calls auth's REST API (e.g. to change a user's flags). */
  authApi<T = unknown>(path: string, options?: RequestOptions): Promise<Response<T>>;
  /** Calls the rooms service's REST API. */
  api<T = unknown>(path: string, options?: RequestOptions): Promise<Response<T>>;
  /** Starts another rooms instance on the same NATS and database (a queue-group twin of `rooms`). */
  addRoomsInstance(): Promise<FastifyInstance>;
  /** Creates a room as the admin and returns it. */
  createRoom(title: string, staffOnly?: boolean): Promise<{ id: string; title: string; staffOnly: boolean }>;
  close(): Promise<void>;
}

/** `roomsEnv`: more environment for the rooms instances (e.g. a shorter USER_CACHE_TTL_MS). */
export async function startStack(options: { roomsEnv?: Record<string, string> } = {}): Promise<Stack> {
  const cleanup: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
  };
  try {
    const nats = await startNatsServer();
    cleanup.push(() => nats.stop());
    const database = await createTestDatabase('rooms_test');
    cleanup.push(() => database.drop());
    const keys = generateSigningKeys();
    const common = {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      NATS_URL: nats.url,
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: '5',
      JWT_PUBLIC_KEY: keys.publicKey,
    };
    const roomsEnv = { ...common, ...options.roomsEnv };

    const adminName = 'admin';
    await createSuperuser(database.url, adminName, PASSWORD);
    const auth = await buildAuth(
      authConfigFromEnv({ ...common, JWT_PRIVATE_KEY: keys.privateKey, LOGINS_PER_ADDRESS: '10000' }),
    );
    cleanup.push(() => auth.close());
    const authUrl = await auth.listen({ host: '127.0.0.1', port: 0 });
    const rooms = await buildRooms(roomsConfigFromEnv(roomsEnv));
    cleanup.push(() => rooms.close());
    const roomsUrl = await rooms.listen({ host: '127.0.0.1', port: 0 });

    const nc = await connectNats({ url: nats.url, name: 'rooms-test' });
    cleanup.push(() => nc.drain());
    const sql = new pg.Pool({ connectionString: database.url, max: 2 });
    // pool.end() resolves before its sockets are closed; the forced DROP DATABASE may still reach one of them.
    sql.on('error', () => {});
    cleanup.push(() => sql.end());

    const call = async <T>(base: string, path: string, options: RequestOptions = {}): Promise<Response<T>> => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${base}${path}`, {
        method: options.method ?? 'GET',
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    };
    const authApi = <T>(path: string, options?: RequestOptions) => call<T>(authUrl, path, options);
    const api = <T>(path: string, options?: RequestOptions) => call<T>(roomsUrl, path, options);

    const login = async (username: string): Promise<TestUser> => {
      const res = await authApi<{ token: string; user: { id: string; username: string } }>('/api/auth/login', {
        method: 'POST',
        body: { username, password: PASSWORD },
      });
      if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.user.id, username: res.body.user.username, token: res.body.token };
    };
    const admin = await login(adminName);

    return {
      natsUrl: nats.url,
      natsServer: nats,
      databaseUrl: database.url,
      rooms,
      roomsUrl,
      authUrl,
      nc,
      sql,
      admin,
      async addRoomsInstance() {
        const twin = await buildRooms(roomsConfigFromEnv(roomsEnv));
        cleanup.push(() => twin.close());
        await twin.ready();
        return twin;
      },
      async createUser(username, flags = {}) {
        const res = await authApi('/api/auth/users', {
          method: 'POST',
          token: admin.token,
          body: { username, password: PASSWORD, ...flags },
        });
        if (res.status !== 201)
          throw new Error(`creating ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
        return login(username);
      },
      authApi,
      api,
      async createRoom(title, staffOnly = false) {
        const res = await api<{ id: string; title: string; staffOnly: boolean }>('/api/rooms', {
          method: 'POST',
          token: admin.token,
          body: { title, staffOnly },
        });
        if (res.status !== 201)
          throw new Error(`creating room ${title} failed: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Everything published on a subject from now on (the subscription is in place when this resolves). */
export async function listen<T = unknown>(nc: NatsConnection, subject: string) {
  const received: T[] = [];
  const raw: string[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const sub = nc.subscribe(subject, {
    callback: (_err, msg) => {
      raw.push(msg.string());
      received.push(decodeJson(msg.data) as T);
      for (const w of waiters.filter((w) => received.length >= w.count)) w.resolve();
    },
  });
  await nc.flush();
  return {
    received,
    raw,
    /** Resolves once `count` messages have arrived in total. */
    async waitFor(count: number, timeoutMs = 5000): Promise<T[]> {
      if (received.length < count) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`only ${received.length} of ${count} messages on ${subject}`)),
            timeoutMs,
          );
          waiters.push({
            count,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          });
        });
      }
      return received;
    },
    /** Lets the server deliver anything still in flight (a round trip), e.g. before asserting that nothing came. */
    settle: () => nc.flush(),
    stop: () => sub.unsubscribe(),
  };
}
