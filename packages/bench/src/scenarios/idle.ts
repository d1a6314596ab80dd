/**
 * Idle connections: how much memory one more connection (in k rooms) costs the process that holds the
 * sockets. RSS of that process (VmRSS) before any client connects and after all have joined and settled.
 */
import { sleep } from '../clock.js';
import { rssOf } from '../processes.js';
import { type Context, dealRooms, openAll } from './context.js';

export interface IdleResult {
  connections: number;
  rooms: number;
  roomsPerConnection: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  bytesPerConnection: number;
  connectP99Ms: number;
  joinP99Ms: number;
}

export async function idle(ctx: Context): Promise<IdleResult> {
  const { idle: o } = ctx.options;
  const rooms = await ctx.target.createRooms(o.rooms, 'idle');
  const clients = dealRooms(o.connections, rooms, o.roomsPerConnection, ctx.target.tokens);
  await sleep(o.settleMs);
  const before = await steadyRss(ctx.target.socketPid);
  const opened = await openAll(ctx, clients, ctx.options.connectConcurrency);
  await sleep(o.settleMs);
  const after = await steadyRss(ctx.target.socketPid);
  await ctx.pool.closeClients();
  return {
    connections: o.connections,
    rooms: rooms.length,
    roomsPerConnection: o.roomsPerConnection,
    rssBeforeBytes: before,
    rssAfterBytes: after,
    bytesPerConnection: Math.round((after - before) / o.connections),
    connectP99Ms: opened.connect.summary().p99,
    joinP99Ms: opened.join.summary().p99,
  };
}

/** The median of five samples a quarter second apart: one sample can catch a GC half done. */
async function steadyRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssOf(pid));
    await sleep(250);
  }
  return samples.sort((a, b) => a - b)[2]!;
}
