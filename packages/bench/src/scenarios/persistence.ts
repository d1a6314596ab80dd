/**
 * Persistence: S senders, each alone in its own room (so fanout costs nothing), offer a rising rate of sends.
 * The acknowledgement of a send comes after its commit, so OK acks a second are messages committed a second;
 * the highest rate whose p99 ack latency stays within the limit, with nothing refused or lost, is the result.
 * The store's row count is checked against the acks at the end.
 */
import { sleep } from '../clock.js';
import { type Context, dealRooms, judge, openAll, Ramp, type RampResult, rampTogether, withCpu } from './context.js';

export interface PersistenceResult extends RampResult {
  senders: number;
  acked: number;
  /** Rows in the message store at the end (stack only): must equal every OK ack. */
  storedMessages: number | null;
}

export async function persistence(ctx: Context): Promise<PersistenceResult> {
  const { persistence: o, stepMs, drainMs } = ctx.options;
  const rooms = await ctx.target.createRooms(o.senders, 'persist');
  const clients = dealRooms(o.senders, rooms, 1, ctx.target.tokens);
  await openAll(ctx, clients, ctx.options.connectConcurrency);
  const senders = clients.map((c, i) => ({ client: i, room: c.rooms[0]! }));
  let acked = 0;

  const warmUp = await ctx.pool.step({
    step: 0,
    senders,
    rate: o.startRate / senders.length,
    durationMs: Math.min(1000, stepMs),
    drainMs,
    fanout: () => 1,
  });
  acked += warmUp.acked;
  await sleep(200);

  const ramp = new Ramp(o);
  const run = async (offered: number, step: number) => {
    const [summary, cpuMs] = await withCpu(ctx, () =>
      ctx.pool.step({
        step,
        senders,
        rate: offered / senders.length,
        durationMs: stepMs,
        drainMs,
        fanout: () => 1,
      }),
    );
    acked += summary.acked;
    return judge(summary, offered, summary.sent, stepMs, o.p99LimitMs, 'ack', cpuMs);
  };
  await rampTogether([{ name: ctx.target.name, ramp, run }], ctx.log);
  await ctx.pool.closeClients();
  const storedMessages = ctx.target.storedMessages ? await ctx.target.storedMessages() : null;
  return { senders: senders.length, acked, storedMessages, ...ramp.toJSON() };
}
