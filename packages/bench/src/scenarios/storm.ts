/**
 * Join storm: every client connects and joins its rooms at the same moment, into rooms that each have a full
 * page of history (so every join reply carries it). Measures the time until all are in and the latency of each
 * join (join frame sent → reply received), plus the handshakes'.
 */
import { sleep } from '../clock.js';
import type { Summary } from '../histogram.js';
import { type Context, dealRooms, perMessage, spreadOverGateways, withCpu } from './context.js';

export interface StormResult {
  clients: number;
  rooms: number;
  roomsPerClient: number;
  historyPerRoom: number;
  connected: number;
  joins: number;
  joined: number;
  failed: number;
  allJoined: boolean;
  allInMs: number;
  join: Summary;
  connect: Summary;
  /** CPU ms each server process (by part) used during the storm. */
  cpuMs: Record<string, number>;
  /** Server CPU (all parts) per join attempted, its share of the handshake included, µs. */
  cpuUsPerJoin: number;
  errors: string[];
}

export async function storm(ctx: Context): Promise<StormResult> {
  const { storm: o } = ctx.options;
  const rooms = await ctx.target.createRooms(o.rooms, 'storm');
  await seedHistory(ctx, rooms, o.history);
  const clients = dealRooms(o.clients, rooms, o.roomsPerClient, ctx.target.tokens);
  const joins = clients.reduce((n, c) => n + c.rooms.length, 0);
  await sleep(500);
  const [opened, cpuMs] = await withCpu(ctx, () =>
    ctx.pool.open(ctx.target.wsUrl, spreadOverGateways(ctx.target, clients), Number.POSITIVE_INFINITY, o.timeoutMs),
  );
  await ctx.pool.closeClients();
  const allJoined = opened.joined === joins;
  return {
    clients: o.clients,
    rooms: rooms.length,
    roomsPerClient: o.roomsPerClient,
    historyPerRoom: o.history,
    connected: opened.opened,
    joins,
    joined: opened.joined,
    failed: joins - opened.joined,
    allJoined,
    allInMs: Math.round(opened.lastJoinAt - opened.startAt),
    join: opened.join.summary(),
    connect: opened.connect.summary(),
    cpuMs: Object.fromEntries(Object.entries(cpuMs).map(([k, v]) => [k, Math.round(v)])),
    cpuUsPerJoin: perMessage(cpuMs, joins),
    errors: opened.errors,
  };
}

/** Sends `count` messages (at least) into every room through the target itself, as a user would. */
async function seedHistory(ctx: Context, rooms: string[], count: number): Promise<void> {
  const perSecond = 100;
  const seeder = [{ token: ctx.target.tokens[0]!, rooms }];
  await ctx.pool.open(ctx.target.wsUrl, seeder, 1, 30_000);
  const summary = await ctx.pool.step({
    step: 0,
    senders: rooms.map((room) => ({ client: 0, room })),
    rate: perSecond,
    durationMs: ((count + 1) * 1000) / perSecond,
    drainMs: 30_000,
    fanout: () => 1,
  });
  await ctx.pool.closeClients();
  const short = rooms.filter((room) => (summary.sentPerRoom.get(room) ?? 0) < count);
  if (summary.acked < summary.sent || short.length > 0) {
    throw new Error(`${ctx.target.name}: seeding history failed (${summary.acked}/${summary.sent} acked)`);
  }
}
