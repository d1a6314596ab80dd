/**
 * Fanout: C connections in R rooms (k rooms each), S of them sending. The offered send rate rises until the
 * p99 of end-to-end delivery passes the limit or a message is lost; the result is the highest rate that held,
 * counted as messages delivered a second. The floor and the stack are both up at once and stepped in turn.
 */
import { sleep } from '../clock.js';
import {
  type Context,
  dealRooms,
  judge,
  membersPerRoom,
  openAll,
  Ramp,
  type RampResult,
  rampTogether,
  withCpu,
} from './context.js';

export interface FanoutResult extends RampResult {
  connections: number;
  rooms: number;
  membersPerRoom: number;
  senders: number;
}

export async function fanout(contexts: Context[]): Promise<FanoutResult[]> {
  const prepared = [];
  for (const ctx of contexts) prepared.push(await prepare(ctx));
  await rampTogether(prepared, contexts[0]!.log);
  const results: FanoutResult[] = [];
  for (const p of prepared) {
    await p.ctx.pool.closeClients();
    results.push({ ...p.shape, ...p.ramp.toJSON() });
  }
  return results;
}

/** Opens the clients, warms up, and returns the target's ramp with a `run` that takes one step at a rate. */
export async function prepare(ctx: Context) {
  const { fanout: o, stepMs, drainMs } = ctx.options;
  const rooms = await ctx.target.createRooms(o.rooms, 'fanout');
  const clients = dealRooms(o.connections, rooms, o.roomsPerConnection, ctx.target.tokens);
  const members = membersPerRoom(clients);
  await openAll(ctx, clients, ctx.options.connectConcurrency);
  ctx.log(
    `  ${ctx.target.name}: ${o.connections} connections in ${rooms.length} rooms (${members.get(rooms[0]!)} members each)`,
  );
  const senders = Array.from({ length: Math.min(o.senders, clients.length) }, (_, i) => ({
    client: i,
    room: clients[i]!.rooms[0]!,
  }));
  const fanoutOf = (room: string) => members.get(room) ?? 0;
  const step = (stepId: number, offered: number, durationMs: number) =>
    ctx.pool.step({ step: stepId, senders, rate: offered / senders.length, durationMs, drainMs, fanout: fanoutOf });

  // Warm-up (step 0, not judged): the JIT, NATS subscriptions and connection pools get going.
  await step(0, o.startRate, Math.min(1000, stepMs));
  await sleep(200);

  return {
    ctx,
    name: ctx.target.name,
    ramp: new Ramp(o),
    shape: {
      connections: o.connections,
      rooms: rooms.length,
      membersPerRoom: members.get(rooms[0]!) ?? 0,
      senders: senders.length,
    },
    async run(offered: number, stepId: number) {
      const [summary, cpuMs] = await withCpu(ctx, () => step(stepId, offered, stepMs));
      let expected = 0;
      for (const [room, n] of summary.sentPerRoom) expected += n * fanoutOf(room);
      return judge(summary, offered, expected, stepMs, o.p99LimitMs, 'delivery', cpuMs);
    },
  };
}
