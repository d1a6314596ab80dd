/**
 * The real thing, as it is deployed: nats-server, a fresh Postgres database, and the auth, rooms and gateway
 * services as separate processes from their built dist/server.js, configured only through the environment.
 * The limits that protect production (login rate, sends and joins per second, connections per user) are
 * lifted so that the bench measures capacity, not policy.
 */
import { join } from 'node:path';
import { Stack } from '@chat/stack';
import { createTestDatabase, generateSigningKeys } from '@chat/test-kit';
import pg from 'pg';
import { pidsMatching } from '../processes.js';
import { profileArgs } from './floor.js';
import type { Target, TargetOptions } from './target.js';

const ADMIN = { username: 'bench-admin', password: 'bench-admin-password' };
const UNLIMITED = '1000000';

export async function startStack(options: TargetOptions): Promise<Target> {
  const database = await createTestDatabase('chat_bench');
  const keys = generateSigningKeys();
  let stack: Stack | undefined;
  const stop = async () => {
    await stack?.stop();
    await database.drop();
  };

  try {
    stack = await Stack.start({
      database: { url: database.url },
      logs: (name) => ({ file: join(options.logDir, `${options.label}-${name}.log`) }),
      nodeArgs: (name) => profileArgs(options, name),
      env: { NODE_ENV: 'production', LOG_LEVEL: 'warn', JWT_PUBLIC_KEY: keys.publicKey },
      authEnv: { JWT_PRIVATE_KEY: keys.privateKey, LOGINS_PER_ADDRESS: UNLIMITED },
      gatewayEnv: {
        MAX_ROOMS_PER_CONNECTION: '1000',
        MAX_CONNECTIONS_PER_USER: UNLIMITED,
        SENDS_PER_SECOND: UNLIMITED,
        JOINS_PER_SECOND: UNLIMITED,
      },
    });
    const { auth } = stack;
    const [rooms, gateway] = [stack.rooms[0], stack.gateways[0]];
    const natsPid = stack.natsServer?.pid;
    if (!rooms?.pid || !gateway?.pid || !auth.pid || !natsPid) throw new Error('the stack has a process missing');
    const pids = { auth: auth.pid, rooms: rooms.pid, gateway: gateway.pid, nats: natsPid };
    const base = stack.gatewayUrl;
    await stack.createSuperuser(ADMIN.username, ADMIN.password);
    const adminToken = await login(base, ADMIN.username, ADMIN.password);
    const tokens = await inBatches(options.users, 4, async (i) => {
      const username = `bench${i + 1}`;
      const password = `bench-password-${i + 1}`;
      await call(base, 'POST', '/api/auth/users', { username, password }, adminToken, 201);
      return login(base, username, password);
    });

    return {
      name: 'stack',
      wsUrl: `${base.replace('http', 'ws')}/ws`,
      socketPid: pids.gateway,
      processes: () => ({
        gateway: [pids.gateway],
        rooms: [pids.rooms],
        auth: [pids.auth],
        nats: [pids.nats],
        // The backends serving this database: their command line names it.
        postgres: pidsMatching(` ${database.name} `),
      }),
      tokens,
      createRooms: (count, prefix) =>
        inBatches(count, 8, async (i) => {
          const room = await call(base, 'POST', '/api/rooms', { title: `${prefix} ${i + 1}` }, adminToken, 201);
          return (room as { id: string }).id;
        }),
      async storedMessages() {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM rooms.messages');
          return rows[0]?.n ?? 0;
        } finally {
          await client.end();
        }
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

async function call(base: string, method: string, path: string, body: unknown, token: string | null, expect: number) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, { method, headers, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== expect) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

async function login(base: string, username: string, password: string): Promise<string> {
  const body = await call(base, 'POST', '/api/auth/login', { username, password }, null, 200);
  return (body as { token: string }).token;
}

async function inBatches<T>(count: number, concurrency: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await make(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}
