/**
 * The real thing, as it is deployed: nats-server, a fresh Postgres database, and the auth, rooms and gateway
 * services as separate processes from their built dist/server.js, configured only through the environment.
 * The limits that protect production (login rate, sends and joins per second, connections per user) are
 * lifted so that the bench measures capacity, not policy.
 */
import { join } from 'node:path';
import { createSuperuser } from '@chat/auth';
import { createTestDatabase, freePort, generateSigningKeys, startNatsServer } from '@chat/test-kit';
import pg from 'pg';
import { paths } from '../paths.js';
import { pidsMatching, type Service, startProcess, stopProcess, waitForPort } from '../processes.js';
import { profileArgs } from './floor.js';
import type { Target, TargetOptions } from './target.js';

const ADMIN = { username: 'bench-admin', password: 'bench-admin-password' };
const UNLIMITED = '1000000';

export async function startStack(options: TargetOptions): Promise<Target> {
  const nats = await startNatsServer();
  const database = await createTestDatabase('chat_bench');
  const keys = generateSigningKeys();
  const services: Service[] = [];
  const stop = async () => {
    for (const service of services.toReversed()) await stopProcess(service);
    await nats.stop();
    await database.drop();
  };

  try {
    const [authPort, roomsPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
    const common = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      NATS_URL: nats.url,
      DATABASE_URL: database.url,
      JWT_PUBLIC_KEY: keys.publicKey,
    };
    const start = async (name: string, port: number, env: Record<string, string>) => {
      const logFile = join(options.logDir, `${options.label}-${name}.log`);
      const entry = join(paths.repoRoot, 'services', name, 'dist', 'server.js');
      const service = startProcess(name, [...profileArgs(options, name), entry], {
        env: { ...common, PORT: String(port), ...env },
        logFile,
      });
      services.push(service);
      await waitForPort(service, port, logFile);
      return service;
    };
    const auth = await start('auth', authPort, { JWT_PRIVATE_KEY: keys.privateKey, LOGINS_PER_ADDRESS: UNLIMITED });
    const rooms = await start('rooms', roomsPort, {});
    const gateway = await start('gateway', gatewayPort, {
      AUTH_URL: `http://127.0.0.1:${authPort}`,
      ROOMS_URL: `http://127.0.0.1:${roomsPort}`,
      MAX_ROOMS_PER_CONNECTION: '1000',
      MAX_CONNECTIONS_PER_USER: UNLIMITED,
      SENDS_PER_SECOND: UNLIMITED,
      JOINS_PER_SECOND: UNLIMITED,
    });

    const natsPids = pidsMatching(`\0-p\0${nats.port}\0`);
    const base = `http://127.0.0.1:${gatewayPort}`;
    await createSuperuser(database.url, ADMIN.username, ADMIN.password);
    const adminToken = await login(base, ADMIN.username, ADMIN.password);
    const tokens = await inBatches(options.users, 4, async (i) => {
      const username = `bench${i + 1}`;
      const password = `bench-password-${i + 1}`;
      await call(base, 'POST', '/api/auth/users', { username, password }, adminToken, 201);
      return login(base, username, password);
    });

    return {
      name: 'stack',
      wsUrl: `ws://127.0.0.1:${gatewayPort}/ws`,
      socketPid: gateway.pid,
      processes: () => ({
        gateway: [gateway.pid],
        rooms: [rooms.pid],
        auth: [auth.pid],
        nats: natsPids,
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
