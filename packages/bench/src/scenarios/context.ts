/** What every scenario gets, and the pieces they share: dealing rooms to clients, and the load ramp. */
import { sleep } from '../clock.js';
import type { ClientSpec } from '../generator/commands.js';
import type { GeneratorPool, OpenSummary, StepSummary } from '../generator/pool.js';
import type { Summary } from '../histogram.js';
import type { BenchOptions, RampOptions } from '../options.js';
import type { Pinning } from '../pinning.js';
import { cpuBetween, cpuSnapshot } from '../processes.js';
import type { Target } from '../targets/target.js';

export interface Context {
  target: Target;
  pool: GeneratorPool;
  pinning: Pinning;
  options: BenchOptions;
  log(line: string): void;
}

/**
 * Client c joins rooms c, c + R/k, c + 2R/k, … (mod R): every client in k distinct rooms and every room with
 * the same number of members.
 */
export function dealRooms(clients: number, rooms: string[], perClient: number, tokens: string[]): ClientSpec[] {
  const stride = Math.max(1, Math.floor(rooms.length / perClient));
  return Array.from({ length: clients }, (_, c) => ({
    token: tokens[c % tokens.length]!,
    rooms: Array.from({ length: Math.min(perClient, rooms.length) }, (_, k) => rooms[(c + k * stride) % rooms.length]!),
  }));
}

export function membersPerRoom(clients: ClientSpec[]): Map<string, number> {
  const members = new Map<string, number>();
  for (const client of clients) for (const room of client.rooms) members.set(room, (members.get(room) ?? 0) + 1);
  return members;
}

/** Client c goes to the target's socket server c mod n (with one gateway, all to it). */
export function spreadOverGateways(target: Target, clients: ClientSpec[]): ClientSpec[] {
  const urls = target.wsUrls;
  return urls.length < 2 ? clients : clients.map((client, c) => ({ ...client, url: urls[c % urls.length] }));
}

/** Opens the clients (spread over the target's gateways) and insists that every one of them got in. */
export async function openAll(ctx: Context, clients: ClientSpec[], concurrency: number): Promise<OpenSummary> {
  const spread = spreadOverGateways(ctx.target, clients);
  const opened = await ctx.pool.open(ctx.target.wsUrl, spread, concurrency, 180_000);
  const joins = clients.reduce((n, c) => n + c.rooms.length, 0);
  if (opened.opened < clients.length || opened.joined < joins) {
    throw new Error(
      `${ctx.target.name}: only ${opened.opened}/${clients.length} connected and ${opened.joined}/${joins} joins ` +
        `succeeded: ${opened.errors.join('; ')}`,
    );
  }
  return opened;
}

export interface StepResult {
  /** Sends a second offered, all senders together. */
  offered: number;
  sent: number;
  /** Deliveries (message events) expected and received. */
  expected: number;
  delivered: number;
  deliveredPerSec: number;
  /** Send acknowledgements that came back OK, a second. */
  ackedPerSec: number;
  ackFailed: number;
  lost: number;
  closed: number;
  latency: Summary;
  ack: Summary;
  /** Event loop utilization of each generator process during the step. */
  generatorElu: number[];
  /** How far behind schedule the generator sent its last message (ms). */
  generatorLagMs: number;
  /** CPU ms each server process (by part) used over the step and its drain. */
  cpuMs: Record<string, number>;
  /** Server CPU (all parts) per delivered message (fanout) or per committed message (persistence), µs. */
  cpuUsPerMessage: number;
  held: boolean;
  reason: string;
  /** The first refusals the server sent, verbatim. */
  errors: string[];
}

export interface RampResult {
  steps: StepResult[];
  /** The highest offered rate that held, or null when even the first step did not. */
  held: StepResult | null;
}

/**
 * Where one target's ramp stands: the offered rate rises by `growth` while steps hold; a step that fails is
 * tried once more at the same rate (a busy machine makes one-off spikes), and the second failure ends the
 * climb. Then `refineSteps` bisect (geometrically) between the highest rate that held and the lowest that did
 * not.
 */
export class Ramp implements RampResult {
  readonly steps: StepResult[] = [];
  held: StepResult | null = null;
  private failed: StepResult | null = null;
  private offered: number;
  private climbing = true;
  private climbs = 0;
  private refines = 0;
  private retried = false;

  constructor(private readonly options: RampOptions) {
    this.offered = options.startRate;
  }

  /** The rate to offer next, or null when this ramp is done. */
  next(): number | null {
    const o = this.options;
    if (this.climbing && this.climbs < o.maxSteps && this.offered <= o.maxRate) return this.offered;
    this.climbing = false;
    const { held, failed } = this;
    if (this.refines >= o.refineSteps || !held || !failed || failed.closed > 0) return null;
    return Math.sqrt(held.offered * failed.offered);
  }

  record(result: StepResult): void {
    this.steps.push(result);
    if (result.held && (!this.held || result.offered > this.held.offered)) this.held = result;
    if (!result.held && (!this.failed || result.offered < this.failed.offered)) this.failed = result;
    if (!this.climbing) {
      this.refines++;
    } else if (result.held) {
      this.climbs++;
      this.offered *= this.options.growth;
      this.retried = false;
    } else if (!this.retried && result.closed === 0) {
      this.retried = true;
    } else {
      this.climbing = false;
    }
  }

  toJSON(): RampResult {
    return { steps: this.steps, held: this.held };
  }
}

/**
 * Runs several targets' ramps step by step in turn (floor, stack, floor, stack, …), so that whatever else the
 * machine is doing falls on both alike.
 */
export async function rampTogether(
  ramps: { name: string; ramp: Ramp; run: (offered: number, step: number) => Promise<StepResult> }[],
  log: (line: string) => void,
): Promise<void> {
  let stepId = 1;
  for (;;) {
    let ran = false;
    for (const { name, ramp, run } of ramps) {
      const offered = ramp.next();
      if (offered === null) continue;
      ran = true;
      const result = await run(offered, stepId++);
      ramp.record(result);
      log(
        `  ${name} ${result.held ? 'held' : 'FAIL'} ${Math.round(offered)} sends/s → ` +
          `${Math.round(result.deliveredPerSec)} delivered/s, p50 ${result.latency.p50} p99 ${result.latency.p99} ` +
          `max ${result.latency.max} ms; ack p99 ${result.ack.p99} ms; server CPU ${result.cpuUsPerMessage} µs/msg ` +
          `(${cpuShares(result.cpuMs)}); ` +
          `generator ELU ${result.generatorElu.join('/')}${result.held ? '' : ` (${result.reason})`}`,
      );
      for (const error of result.errors) log(`    ${error}`);
      // Lets queues empty and the collector run before the next step.
      await sleep(300);
    }
    if (!ran) return;
  }
}

/** Judges one step of the ramp. */
export function judge(
  summary: StepSummary,
  offered: number,
  expected: number,
  durationMs: number,
  p99LimitMs: number,
  latencyOf: 'delivery' | 'ack',
  cpuMs: Record<string, number>,
): StepResult {
  const latency = summary.latency.summary();
  const ack = summary.ack.summary();
  const lost =
    Math.max(0, expected - summary.delivered) +
    summary.skipped +
    Math.max(0, summary.sent - summary.acked - summary.ackFailed);
  const p99 = latencyOf === 'delivery' ? latency.p99 : ack.p99;
  const reasons: string[] = [];
  if (p99 > p99LimitMs) reasons.push(`p99 ${p99} ms > ${p99LimitMs} ms`);
  if (lost > 0) reasons.push(`${lost} lost`);
  if (summary.ackFailed > 0) reasons.push(`${summary.ackFailed} sends refused`);
  if (summary.closed > 0) reasons.push(`${summary.closed} sockets closed`);
  const seconds = durationMs / 1000;
  return {
    offered: Math.round(offered * 10) / 10,
    sent: summary.sent,
    expected,
    delivered: summary.delivered,
    deliveredPerSec: Math.round(summary.delivered / seconds),
    ackedPerSec: Math.round(summary.acked / seconds),
    ackFailed: summary.ackFailed,
    lost,
    closed: summary.closed,
    latency,
    ack,
    generatorElu: summary.elu,
    generatorLagMs: summary.lagMs,
    cpuMs: Object.fromEntries(Object.entries(cpuMs).map(([k, v]) => [k, Math.round(v)])),
    cpuUsPerMessage: perMessage(cpuMs, latencyOf === 'delivery' ? summary.delivered : summary.acked),
    held: reasons.length === 0,
    reason: reasons.join(', '),
    errors: summary.errors,
  };
}

/** "gateway 36%, rooms 25%, …": where a step's server CPU went, largest first. */
export function cpuShares(cpuMs: Record<string, number>): string {
  const total = Object.values(cpuMs).reduce((a, b) => a + b, 0);
  if (total === 0) return 'no CPU measured';
  return Object.entries(cpuMs)
    .filter(([, ms]) => ms / total >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([part, ms]) => `${part} ${Math.round((ms * 100) / total)}%`)
    .join(', ');
}

/** Total CPU µs per message, to 0.01 µs. */
export function perMessage(cpuMs: Record<string, number>, messages: number): number {
  const total = Object.values(cpuMs).reduce((a, b) => a + b, 0);
  return messages > 0 ? Math.round((total * 1000 * 100) / messages) / 100 : 0;
}

/**
 * Runs `work` and returns what it returned with the CPU ms each of the target's processes spent meanwhile. The
 * target's processes are pinned first (Postgres backends come and go).
 */
export async function withCpu<T>(
  { target, pinning }: Pick<Context, 'target' | 'pinning'>,
  work: () => Promise<T>,
): Promise<[T, Record<string, number>]> {
  pinning.server(Object.values(target.processes()).flat());
  const before = cpuSnapshot(target.processes());
  const result = await work();
  return [result, cpuBetween(before, cpuSnapshot(target.processes()))];
}

/**
 * CPU ms a second each part uses with the clients connected and nothing sent (timers, heartbeats, garbage
 * collection): what a step's CPU is measured against, so that a cost per message is the messages' own.
 */
export async function idleCpu(ctx: Pick<Context, 'target' | 'pinning'>, ms: number): Promise<Record<string, number>> {
  const [, cpuMs] = await withCpu(ctx, () => sleep(ms));
  return Object.fromEntries(Object.entries(cpuMs).map(([part, used]) => [part, Math.round((used * 1000) / ms)]));
}

/** CPU ms a part used over `wallMs` beyond what it uses idle (at least 0). */
export function beyondIdle(usedMs: number, idleMsPerSec: number, wallMs: number): number {
  return Math.max(0, usedMs - (idleMsPerSec * wallMs) / 1000);
}
