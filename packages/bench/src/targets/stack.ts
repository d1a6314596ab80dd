/**
 * The real thing, as it is deployed: nats-server, a fresh Postgres database, and the auth, rooms and gateway
 * services as separate processes from their built dist/server.js, configured only through the environment.
 * The limits that protect production (login rate, sends and joins per second, connections per user) are
 * lifted so that the bench measures capacity, not policy. `cluster`: three NATS nodes and three gateways, one
 * on each node (no front: the bench deals its clients over the gateways itself).
 */
import { join } from 'node:path';
import pg from 'pg';
import { pidsMatching } from '../processes.js';
import { createRoom, newUserToken } from '../rest-client.js';
import { startBenchStack } from './bench-stack.js';
import { profileArgs } from './floor.js';
import type { Target, TargetOptions } from './target.js';

const UNLIMITED = '1000000';

export async function startStack(options: TargetOptions, cluster = false): Promise<Target> {
  const bench = await startBenchStack({
    cluster,
    databasePrefix: 'chat_bench',
    logFile: (name) => join(options.logDir, `${options.label}-${name}.log`),
    nodeArgs: (name) => profileArgs(options, name),
    authEnv: { LOGINS_PER_ADDRESS: UNLIMITED },
    gatewayEnv: {
      MAX_ROOMS_PER_CONNECTION: '1000',
      MAX_CONNECTIONS_PER_USER: UNLIMITED,
      SENDS_PER_SECOND: UNLIMITED,
      JOINS_PER_SECOND: UNLIMITED,
      // Node's options for the gateways alone (GC flags, say), to compare a setting with the same load.
      ...(process.env.BENCH_GATEWAY_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_GATEWAY_NODE_OPTIONS } : {}),
    },
  });
  try {
    const { stack, base, adminToken, database } = bench;
    const rooms = stack.rooms[0];
    const gateways = stack.gateways.map((g) => g.pid);
    const natsNodes = stack.natsCluster?.nodes ?? (stack.natsServer ? [stack.natsServer] : []);
    const nats = natsNodes.map((node) => node.pid);
    const all = [rooms?.pid, stack.auth.pid, ...gateways, ...nats];
    if (nats.length === 0 || !all.every((pid) => pid !== undefined)) throw new Error('the stack has a process missing');
    const pids = {
      auth: stack.auth.pid as number,
      rooms: rooms?.pid as number,
      gateway: gateways as number[],
      nats: nats as number[],
    };
    const tokens = await inBatches(options.users, 4, (i) =>
      newUserToken(base, adminToken, `bench${i + 1}`, `bench-password-${i + 1}`),
    );

    return {
      name: cluster ? 'cluster' : 'stack',
      wsUrl: `${base.replace('http', 'ws')}/ws`,
      wsUrls: stack.gateways.map((g) => `${g.url.replace('http', 'ws')}/ws`),
      socketPid: pids.gateway[0] as number,
      socketPids: pids.gateway,
      natsMonitorUrls: natsNodes.flatMap((node) => (node.monitorUrl ? [node.monitorUrl] : [])),
      processes: () => ({
        // Summed over the gateways, and over the NATS nodes.
        gateway: pids.gateway,
        rooms: [pids.rooms],
        auth: [pids.auth],
        nats: pids.nats,
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
