/**
 * The real thing, as it is deployed: nats-server, a fresh Postgres database, and the auth, rooms and gateway
 * services as separate processes from their built dist/server.js, configured only through the environment.
 * The limits that protect production (login rate, sends and joins per second, connections per user) are
 * lifted so that the bench measures capacity, not policy.
 */
import { join } from 'node:path';
import pg from 'pg';
import { pidsMatching } from '../processes.js';
import { createRoom, newUserToken } from '../rest-client.js';
import { startBenchStack } from './bench-stack.js';
import { profileArgs } from './floor.js';
import type { Target, TargetOptions } from './target.js';

const UNLIMITED = '1000000';

export async function startStack(options: TargetOptions): Promise<Target> {
  const bench = await startBenchStack({
    databasePrefix: 'chat_bench',
    logFile: (name) => join(options.logDir, `${options.label}-${name}.log`),
    nodeArgs: (name) => profileArgs(options, name),
    authEnv: { LOGINS_PER_ADDRESS: UNLIMITED },
    gatewayEnv: {
      MAX_ROOMS_PER_CONNECTION: '1000',
      MAX_CONNECTIONS_PER_USER: UNLIMITED,
      SENDS_PER_SECOND: UNLIMITED,
      JOINS_PER_SECOND: UNLIMITED,
    },
  });
  try {
    const { stack, base, adminToken, database } = bench;
    const [rooms, gateway] = [stack.rooms[0], stack.gateways[0]];
    const natsPid = stack.natsServer?.pid;
    if (!rooms?.pid || !gateway?.pid || !stack.auth.pid || !natsPid) throw new Error('the stack has a process missing');
    const pids = { auth: stack.auth.pid, rooms: rooms.pid, gateway: gateway.pid, nats: natsPid };
    const tokens = await inBatches(options.users, 4, (i) =>
      newUserToken(base, adminToken, `bench${i + 1}`, `bench-password-${i + 1}`),
    );

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
      createRooms: (count, prefix) => inBatches(count, 8, (i) => createRoom(base, adminToken, `${prefix} ${i + 1}`)),
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
      stop: bench.stop,
    };
  } catch (err) {
    await bench.stop().catch(() => {});
    throw err;
  }
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
