/**
 * Idle connections: how much memory one more connection (in k rooms) costs the processes that hold the
 * sockets. RSS (VmRSS) of each of them before any client connects and after all have joined and settled; with
 * several gateways, per gateway over the connections it got (clients are dealt over them round-robin), and the
 * NATS nodes' RSS and subscriptions beside.
 */
import { sleep } from '../clock.js';
import { type NatsSubscriptions, natsSubscriptions } from '../nats-monitor.js';
import { rssOf } from '../processes.js';
import { type Context, dealRooms, openAll } from './context.js';

export interface IdleResult {
  connections: number;
  rooms: number;
  roomsPerConnection: number;
  /** Summed over the socket processes. */
  rssBeforeBytes: number;
  rssAfterBytes: number;
  bytesPerConnection: number;
  /** Each socket process (gateway), over the connections it holds. */
  perGateway: GatewayMemory[];
  /** The NATS nodes' RSS, summed, and their subscriptions after the joins (none for the floor). */
  natsRssBeforeBytes?: number;
  natsRssAfterBytes?: number;
  natsSubscriptions?: NatsSubscriptions;
  connectP99Ms: number;
  joinP99Ms: number;
}

export interface GatewayMemory {
  connections: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  bytesPerConnection: number;
}

export async function idle(ctx: Context): Promise<IdleResult> {
  const { idle: o } = ctx.options;
  const { target } = ctx;
  const rooms = await target.createRooms(o.rooms, 'idle');
  const clients = dealRooms(o.connections, rooms, o.roomsPerConnection, target.tokens);
  const natsPids = target.processes().nats ?? [];
  await sleep(o.settleMs);
  const before = await steadyRss(target.socketPids);
  const natsBefore = await steadyRss(natsPids);
  const opened = await openAll(ctx, clients, ctx.options.connectConcurrency);
  await sleep(o.settleMs);
  const after = await steadyRss(target.socketPids);
  const natsAfter = await steadyRss(natsPids);
  const subscriptions = target.natsMonitorUrls.length > 0 ? await natsSubscriptions(target.natsMonitorUrls) : undefined;
  await ctx.pool.closeClients();
  const gateways = target.socketPids.length;
  const perGateway = target.socketPids.map((_, g) => {
    // Client c went to gateway c mod n (openAll).
    const connections = Math.floor(o.connections / gateways) + (g < o.connections % gateways ? 1 : 0);
    const [b, a] = [before[g] ?? 0, after[g] ?? 0];
    return { connections, rssBeforeBytes: b, rssAfterBytes: a, bytesPerConnection: Math.round((a - b) / connections) };
  });
  const rssBeforeBytes = sum(before);
  const rssAfterBytes = sum(after);
  return {
    connections: o.connections,
    rooms: rooms.length,
    roomsPerConnection: o.roomsPerConnection,
    rssBeforeBytes,
    rssAfterBytes,
    bytesPerConnection: Math.round((rssAfterBytes - rssBeforeBytes) / o.connections),
    perGateway,
    ...(natsPids.length > 0 ? { natsRssBeforeBytes: sum(natsBefore), natsRssAfterBytes: sum(natsAfter) } : {}),
    ...(subscriptions ? { natsSubscriptions: subscriptions } : {}),
    connectP99Ms: opened.connect.summary().p99,
    joinP99Ms: opened.join.summary().p99,
  };
}

/** Per process, the median of five samples a quarter second apart: one sample can catch a GC half done. */
export async function steadyRss(pids: number[]): Promise<number[]> {
  if (pids.length === 0) return [];
  const samples: number[][] = pids.map(() => []);
  for (let i = 0; i < 5; i++) {
    for (const [p, pid] of pids.entries()) samples[p]!.push(rssOf(pid));
    await sleep(250);
  }
  return samples.map((s) => s.sort((a, b) => a - b)[2]!);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
