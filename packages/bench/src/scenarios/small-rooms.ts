/**
 * Many small rooms, as direct conversations make them: R rooms of 2 and 3 members alternately, each connection
 * in k of them, on the scaled-out stack (three gateways on three NATS nodes). A gateway subscribes once per room
 * it has a member of (and once more for typing), so at this count the subscriptions, not the sockets, are what
 * grows: measured are the cost of joining every room (time, CPU by part), each gateway's memory and CPU, the
 * subscriptions the NATS nodes hold, and what one message in a small room costs.
 */
import type { ClientSpec } from '../generator/commands.js';
import { type NatsSubscriptions, natsSubscriptions } from '../nats-monitor.js';
import { cpuMsOf } from '../processes.js';
import { now } from '../clock.js';
import { beyondIdle, type Context, idleCpu, judge, openAll, perMessage, type StepResult, withCpu } from './context.js';
import { type GatewayMemory, steadyRss } from './idle.js';

export interface SmallRoomsResult {
  rooms: number;
  connections: number;
  roomsPerConnection: number;
  /** Member count of the rooms: 2 and 3 alternately. */
  membersPerRoom: number[];
  gateways: number;
  /** Rooms with at least one member on each gateway (from the deal): the room subscriptions it should hold. */
  roomsPerGateway: number[];
  createMs: number;
  /** From the first connect to the last join reply. */
  joinAllMs: number;
  joins: number;
  joinP50Ms: number;
  joinP99Ms: number;
  /** CPU ms each part spent while everyone connected and joined, and all of it per join, µs. */
  joinCpuMs: Record<string, number>;
  joinCpuUsPerJoin: number;
  /** Each gateway's CPU ms over the joins. */
  joinCpuMsPerGateway: number[];
  perGateway: GatewayMemory[];
  natsRssBeforeBytes: number;
  natsRssAfterBytes: number;
  natsSubscriptions: NatsSubscriptions;
  /** CPU ms a second each part used with everyone in and nothing sent (heartbeats, timers, GC). */
  idleCpuMsPerSec: Record<string, number>;
  /**
   * `senders` clients each sending in a room of its own, at the scenario's rate: CPU µs per message by part,
   * and the same beyond what the part uses idle.
   */
  message: StepResult & { perPartUsPerMessage: Record<string, number>; perPartNetUsPerMessage: Record<string, number> };
}

export async function smallRooms(ctx: Context): Promise<SmallRoomsResult> {
  const o = ctx.options.smallRooms;
  const { target } = ctx;
  const createdAt = performance.now();
  const rooms = await target.createRooms(o.rooms, 'dm');
  const createMs = Math.round(performance.now() - createdAt);
  const { clients, members } = dealSmallRooms(rooms, o.roomsPerConnection, target.tokens);
  const gateways = target.socketPids.length;
  const roomsPerGateway = target.socketPids.map((_, g) => {
    const here = new Set<string>();
    clients.forEach((client, c) => {
      if (c % gateways === g) for (const room of client.rooms) here.add(room);
    });
    return here.size;
  });
  ctx.log(
    `  ${target.name}: ${rooms.length} rooms made in ${createMs} ms; ${clients.length} connections × ` +
      `${o.roomsPerConnection} rooms; rooms with a member per gateway: ${roomsPerGateway.join(', ')}`,
  );

  const natsPids = target.processes().nats ?? [];
  await new Promise((resolve) => setTimeout(resolve, o.settleMs));
  const rssBefore = await steadyRss(target.socketPids);
  const natsBefore = await steadyRss(natsPids);
  const gatewayCpuBefore = target.socketPids.map(cpuMsOf);
  const [opened, joinCpuMs] = await withCpu(ctx, () => openAll(ctx, clients, ctx.options.connectConcurrency));
  const joinCpuMsPerGateway = target.socketPids.map((pid, g) => Math.round(cpuMsOf(pid) - gatewayCpuBefore[g]!));
  const joins = clients.reduce((n, c) => n + c.rooms.length, 0);
  await new Promise((resolve) => setTimeout(resolve, o.settleMs));
  const rssAfter = await steadyRss(target.socketPids);
  const natsAfter = await steadyRss(natsPids);
  const subscriptions = await natsSubscriptions(target.natsMonitorUrls);

  // One message in a small room: each sender in a room no other sender sends in.
  const senders: { client: number; room: string }[] = [];
  const taken = new Set<string>();
  for (const [c, client] of clients.entries()) {
    if (senders.length >= o.senders) break;
    const room = client.rooms.find((r) => !taken.has(r));
    if (!room) continue;
    taken.add(room);
    senders.push({ client: c, room });
  }
  const fanout = (room: string) => members.get(room) ?? 0;
  const { stepMs, drainMs } = ctx.options;
  const load = (step: number, durationMs: number) =>
    ctx.pool.step({ step, senders, rate: o.rate / senders.length, durationMs, drainMs, fanout });
  await load(0, Math.min(1000, stepMs));
  const idle = await idleCpu(ctx, stepMs);
  const began = now();
  const [summary, cpuMs] = await withCpu(ctx, () => load(1, stepMs));
  const wallMs = now() - began;
  let expected = 0;
  for (const [room, n] of summary.sentPerRoom) expected += n * fanout(room);
  const step = judge(summary, o.rate, expected, stepMs, 100, 'delivery', cpuMs);
  const perPartUsPerMessage = Object.fromEntries(
    Object.entries(cpuMs).map(([part, ms]) => [part, perMessage({ [part]: ms }, summary.sent)]),
  );
  const perPartNetUsPerMessage = Object.fromEntries(
    Object.entries(cpuMs).map(([part, ms]) => [
      part,
      perMessage({ [part]: beyondIdle(ms, idle[part] ?? 0, wallMs) }, summary.sent),
    ]),
  );
  await ctx.pool.closeClients();

  const perGateway = target.socketPids.map((_, g) => {
    const connections = clients.filter((_, c) => c % gateways === g).length;
    const [b, a] = [rssBefore[g] ?? 0, rssAfter[g] ?? 0];
    return { connections, rssBeforeBytes: b, rssAfterBytes: a, bytesPerConnection: Math.round((a - b) / connections) };
  });
  return {
    rooms: rooms.length,
    connections: clients.length,
    roomsPerConnection: o.roomsPerConnection,
    membersPerRoom: [...new Set(members.values())].sort(),
    gateways,
    roomsPerGateway,
    createMs,
    joinAllMs: Math.round(opened.lastJoinAt - opened.startAt),
    joins,
    joinP50Ms: opened.join.summary().p50,
    joinP99Ms: opened.join.summary().p99,
    joinCpuMs: Object.fromEntries(Object.entries(joinCpuMs).map(([k, v]) => [k, Math.round(v)])),
    joinCpuUsPerJoin: perMessage(joinCpuMs, joins),
    joinCpuMsPerGateway,
    perGateway,
    natsRssBeforeBytes: natsBefore.reduce((a, b) => a + b, 0),
    natsRssAfterBytes: natsAfter.reduce((a, b) => a + b, 0),
    natsSubscriptions: subscriptions,
    idleCpuMsPerSec: idle,
    message: { ...step, perPartUsPerMessage, perPartNetUsPerMessage },
  };
}

/**
 * Rooms of 2 and 3 members alternately (2.5 on average), dealt so that every connection is in exactly k rooms
 * and no room has one connection twice: the membership slots, room by room, go to connection s·P mod C for a
 * P prime to C, so a connection's slots lie C apart, each in a different room.
 */
export function dealSmallRooms(
  rooms: string[],
  perConnection: number,
  tokens: string[],
): { clients: ClientSpec[]; members: Map<string, number> } {
  const slots: string[] = [];
  const members = new Map<string, number>();
  rooms.forEach((room, r) => {
    const n = r % 2 === 0 ? 2 : 3;
    members.set(room, n);
    for (let i = 0; i < n; i++) slots.push(room);
  });
  const count = Math.floor(slots.length / perConnection);
  if (count * perConnection !== slots.length || count < 4) {
    throw new Error(`${rooms.length} rooms do not deal into whole connections of ${perConnection} rooms`);
  }
  let p = Math.floor(count * 0.618);
  while (gcd(p, count) !== 1) p++;
  const clients: ClientSpec[] = Array.from({ length: count }, (_, c) => ({
    token: tokens[c % tokens.length]!,
    rooms: [],
  }));
  for (const [s, room] of slots.entries()) clients[(s * p) % count]!.rooms.push(room);
  return { clients, members };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
