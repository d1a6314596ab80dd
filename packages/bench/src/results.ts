/** The results of a run, and the targets judged against them. */
import { cpus, release, totalmem } from 'node:os';
import type { BenchOptions, ScenarioName } from './options.js';
import type { FanoutResult } from './scenarios/fanout.js';
import type { FanoutClusterResult } from './scenarios/fanout-cluster.js';
import type { IdleResult } from './scenarios/idle.js';
import type { PersistenceResult } from './scenarios/persistence.js';
import type { SmallRoomsResult } from './scenarios/small-rooms.js';
import type { StormResult } from './scenarios/storm.js';
import type { TargetName } from './targets/target.js';

export interface ScenarioResults {
  fanout: FanoutResult;
  idle: IdleResult;
  storm: StormResult;
  persistence: PersistenceResult;
  'fanout-cluster': FanoutClusterResult;
  'idle-cluster': IdleResult;
  'small-rooms': SmallRoomsResult;
}

export type ByTarget<T> = Partial<Record<TargetName, T>>;

export interface Results {
  startedAt: string;
  durationSec: number;
  machine: { cpus: number; cpu: string; memoryGiB: number; node: string; os: string };
  options: Omit<BenchOptions, 'profile'> & { profile: string[] };
  scenarios: { [K in ScenarioName]?: ByTarget<ScenarioResults[K]> };
  errors: { scenario: ScenarioName; target: TargetName; error: string }[];
  /** The share of the machine's CPU (0..1) that other processes used during each run: they skew it. */
  otherLoad: { run: string; share: number }[];
  targets: TargetCheck[];
  /** How the run was pinned to CPUs, in words (pinning.ts). */
  pinning: string;
  /** Every run's results (--repeat); `scenarios` holds, per scenario, the run whose verdict is the median. */
  rounds: Results['scenarios'][];
}

export interface TargetCheck {
  scenario: ScenarioName;
  goal: string;
  /** What was measured, in words with units. */
  measured: string;
  /** The measured value over the goal's bound (direction as in the goal). */
  ratio: number | null;
  pass: boolean | null;
  /** With several runs: each run's ratio, in run order, and how many passed. */
  runs?: { ratios: (number | null)[]; passed: number };
  /**
   * Server CPU µs per message at the ramp's first step, whose offered rate is the same in every run and for
   * both targets: steadier than a held rate on a shared machine. Each run's figure, in run order.
   */
  cpuAtFirstStep?: { target: TargetName; offered: number; usPerMessage: number[] }[];
}

/**
 * The verdicts over several runs: per scenario, the run whose ratio is the median (lower median; runs with no
 * figure count lowest) stands for it, and each check carries every run's ratio and CPU at equal load.
 */
export function judgeRounds(rounds: Results['scenarios'][]): Pick<Results, 'scenarios' | 'targets'> {
  const scenarios: Results['scenarios'] = {};
  const targets: TargetCheck[] = [];
  const names = [...new Set(rounds.flatMap((r) => Object.keys(r) as ScenarioName[]))];
  for (const name of names) {
    const runs = rounds.filter((r) => r[name] !== undefined);
    const checks = runs.map((r) => checkTargets({ [name]: r[name] })[0]);
    const order = checks
      .map((check, i) => ({ i, ratio: check?.ratio ?? Number.NEGATIVE_INFINITY }))
      .sort((a, b) => a.ratio - b.ratio);
    const median = order[Math.floor((order.length - 1) / 2)]?.i ?? 0;
    const chosen = runs[median];
    if (!chosen) continue;
    (scenarios as Record<string, unknown>)[name] = chosen[name];
    const check = checks[median];
    if (!check) continue;
    const cpu = cpuAtFirstStep(runs.map((r) => r[name]));
    targets.push({
      ...check,
      ...(runs.length > 1
        ? { runs: { ratios: checks.map((c) => c?.ratio ?? null), passed: checks.filter((c) => c?.pass).length } }
        : {}),
      ...(cpu.length > 0 ? { cpuAtFirstStep: cpu } : {}),
    });
  }
  return { scenarios, targets };
}

function cpuAtFirstStep(runs: unknown[]) {
  const byTarget = new Map<TargetName, { offered: number; usPerMessage: number[] }>();
  for (const run of runs) {
    for (const [target, result] of Object.entries(run ?? {}) as [TargetName, { steps?: StepLike[] }][]) {
      // Only the ramps (fanout, persistence) have steps.
      const first = result.steps?.[0];
      if (!first) continue;
      const entry = byTarget.get(target) ?? { offered: first.offered, usPerMessage: [] };
      entry.usPerMessage.push(first.cpuUsPerMessage);
      byTarget.set(target, entry);
    }
  }
  return [...byTarget].map(([target, entry]) => ({ target, ...entry }));
}

type StepLike = { offered: number; cpuUsPerMessage: number };

/** "median (min–max)" of figures. */
export function medianAndSpread(values: number[], digits = 2): string {
  if (values.length === 0) return '—';
  const sorted = values.toSorted((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  const f = (n: number) => n.toFixed(digits);
  return sorted.length === 1 ? f(median) : `${f(median)} (${f(sorted[0] ?? 0)}–${f(sorted.at(-1) ?? 0)})`;
}

export function machine(): Results['machine'] {
  const list = cpus();
  return {
    cpus: list.length,
    cpu: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${process.platform} ${release()}`,
  };
}

export function checkTargets(scenarios: Results['scenarios']): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const fanout = scenarios.fanout;
  if (fanout) {
    const floor = fanout.floor?.held?.deliveredPerSec;
    const stack = fanout.stack?.held?.deliveredPerSec ?? (fanout.stack ? 0 : undefined);
    const ratio = floor && stack !== undefined ? stack / floor : null;
    checks.push({
      scenario: 'fanout',
      goal: 'stack delivers ≥ 0.5 × floor msgs/s',
      measured: `stack ${fmt(stack)} vs floor ${fmt(floor)} delivered msgs/s`,
      ratio: round(ratio),
      pass: ratio === null ? null : ratio >= 0.5,
    });
  }
  const idle = scenarios.idle;
  if (idle) {
    const floor = idle.floor?.bytesPerConnection;
    const stack = idle.stack?.bytesPerConnection;
    const ratio = floor && stack !== undefined ? stack / floor : null;
    checks.push({
      scenario: 'idle',
      goal: 'gateway memory/conn ≤ 1.5 × floor',
      measured: `gateway ${kib(stack)} vs floor ${kib(floor)} KiB/conn`,
      ratio: round(ratio),
      pass: ratio === null ? null : ratio <= 1.5,
    });
  }
  const storm = scenarios.storm?.stack;
  if (storm) {
    checks.push({
      scenario: 'storm',
      goal: 'join p99 ≤ 50 ms, all joined',
      measured: `p99 ${storm.join.p99} ms, ${storm.joined}/${storm.joins} joined in ${storm.allInMs} ms`,
      ratio: round(storm.join.p99 / 50),
      pass: storm.allJoined && storm.join.p99 <= 50,
    });
  }
  const persistence = scenarios.persistence?.stack;
  if (persistence) {
    const held = persistence.held;
    const rate = held?.ackedPerSec ?? 0;
    checks.push({
      scenario: 'persistence',
      goal: '≥ 10,000 msgs/s committed, p99 ack ≤ 50 ms',
      measured: held ? `${fmt(rate)} msgs/s committed, ack p99 ${held.ack.p99} ms` : 'no rate held',
      ratio: round(rate / 10_000),
      pass: held !== null && rate >= 10_000 && held.ack.p99 <= 50,
    });
  }
  return checks;
}

export function fmt(n: number | undefined | null): string {
  return n === undefined || n === null ? '—' : Math.round(n).toLocaleString('en-US');
}

export function kib(bytes: number | undefined | null): string {
  return bytes === undefined || bytes === null ? '—' : (bytes / 1024).toFixed(1);
}

function round(n: number | null): number | null {
  return n === null || !Number.isFinite(n) ? null : Math.round(n * 100) / 100;
}
