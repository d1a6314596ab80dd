/**
 * Every knob of the bench, from flags (or BENCH_* environment variables). The defaults are the issue's
 * scenarios at full size; --scale shrinks connection counts and rates together, --quick is the smoke size.
 */
import { parseArgs } from 'node:util';
import type { TargetName } from './targets/target.js';

/** What `npm run bench` runs when no scenarios are named. */
export const DEFAULT_SCENARIOS = ['fanout', 'idle', 'storm', 'persistence'] as const;
/** The scaled-out comparisons (issue 16): one gateway against three on a NATS cluster; run when named. */
export const CLUSTER_SCENARIOS = ['fanout-cluster', 'idle-cluster', 'small-rooms'] as const;
export const SCENARIOS = [...DEFAULT_SCENARIOS, ...CLUSTER_SCENARIOS] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface RampOptions {
  /** Offered sends a second (all senders together) of the first step. */
  startRate: number;
  /** Each step offers this many times the previous one. */
  growth: number;
  maxRate: number;
  maxSteps: number;
  /** Steps spent bisecting between the last rate that held and the first that did not. */
  refineSteps: number;
  /** A step holds when its p99 is at most this (and nothing is lost or refused). */
  p99LimitMs: number;
}

export interface BenchOptions {
  scale: number;
  quick: boolean;
  out: string;
  scenarios: ScenarioName[];
  targets: TargetName[];
  /** Generator processes. */
  workers: number;
  /** auto: servers and generator on separate CPUs when there are two or more (see pinning.ts); off: shared. */
  pin: 'auto' | 'off';
  /** Runs of every scenario: the report gives each verdict's median run and the spread over all of them. */
  repeat: number;
  /** Processes to run under --cpu-prof: floor, auth, rooms, gateway, generator. */
  profile: Set<string>;
  /** Users logged in on the stack; connections share their tokens. */
  users: number;
  stepMs: number;
  drainMs: number;
  /** Most clients connecting at once while a scenario sets up (the join storm ignores it). */
  connectConcurrency: number;
  fanout: { connections: number; rooms: number; roomsPerConnection: number; senders: number } & RampOptions;
  idle: { connections: number; rooms: number; roomsPerConnection: number; settleMs: number };
  storm: { clients: number; rooms: number; roomsPerClient: number; history: number; timeoutMs: number };
  persistence: { senders: number } & RampOptions;
  /** fanout-cluster: the fanout scenario's shape, offered these sends a second in turn to one gateway and three. */
  fanoutCluster: { rates: number[] };
  /**
   * small-rooms: `rooms` rooms of 2 and 3 members alternately (as direct conversations make), each connection in
   * `roomsPerConnection` of them (so rooms × 2.5 ÷ roomsPerConnection connections), then `senders` of them send,
   * each in a room of its own, `rate` messages a second all together.
   */
  smallRooms: { rooms: number; roomsPerConnection: number; senders: number; rate: number; settleMs: number };
}

const usage = `npm run bench -- [options]
  --quick              tiny run (the smoke test's size), seconds instead of minutes
  --scale <f>          multiply connection counts and rates (default 1: the issue's sizes)
  --scenarios <list>   comma-separated: ${SCENARIOS.join(',')}
                       (default ${DEFAULT_SCENARIOS.join(',')}; the others start three-node clusters)
  --targets <list>     floor,stack (default both)
  --workers <n>        generator processes (default 2)
  --pin <auto|off>     auto (default but with --quick): servers and Postgres on some CPUs, the generator on
                       the others
  --repeat <n>         run every scenario n times; verdicts from the median run, with the spread (default 1)
  --step-ms <ms>       duration of one load step (default 3000)
  --fanout-rate <n>    sends/s of the fanout ramp's first step (default 25 × scale)
  --cluster-rates <list>
                       fanout-cluster's offered sends/s, each taken by one gateway and by three in turn
                       (default 250,500,1000 × scale)
  --persistence-rate <n>
                       sends/s of the persistence ramp's first step (default 1000 × scale); with a long
                       --step-ms, a fixed load to compare two builds at (A/B) or to profile
  --profile <list>     run these under node --cpu-prof: floor,auth,rooms,gateway,generator (to <out>/logs)
  --out <dir>          where results go (default bench-results at the repository root)
Environment: BENCH_SCALE, BENCH_QUICK=1, BENCH_SCENARIOS, BENCH_TARGETS, BENCH_WORKERS, BENCH_PIN, BENCH_REPEAT, BENCH_STEP_MS,
BENCH_FANOUT_RATE, BENCH_PERSISTENCE_RATE, BENCH_CLUSTER_RATES, BENCH_PROFILE, BENCH_OUT.`;

export function parseOptions(
  argv: string[],
  env: Record<string, string | undefined>,
  defaultOut: string,
): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      scale: { type: 'string' },
      scenarios: { type: 'string' },
      targets: { type: 'string' },
      workers: { type: 'string' },
      pin: { type: 'string' },
      repeat: { type: 'string' },
      'step-ms': { type: 'string' },
      'fanout-rate': { type: 'string' },
      'persistence-rate': { type: 'string' },
      'cluster-rates': { type: 'string' },
      profile: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const quick = values.quick ?? env.BENCH_QUICK === '1';
  const scale = number(values.scale ?? env.BENCH_SCALE, quick ? 0.02 : 1, 'scale');
  const scenarios = list(values.scenarios ?? env.BENCH_SCENARIOS, SCENARIOS, 'scenario', DEFAULT_SCENARIOS);
  const targets = list(values.targets ?? env.BENCH_TARGETS, ['floor', 'stack'] as const, 'target');
  const clusterRates = (values['cluster-rates'] ?? env.BENCH_CLUSTER_RATES ?? '')
    .split(',')
    .filter(Boolean)
    .map((raw) => number(raw, 0, 'cluster-rates'));
  const n = (full: number, min: number) => Math.max(min, Math.round(full * scale));

  return {
    scale,
    quick,
    out: values.out ?? env.BENCH_OUT ?? defaultOut,
    scenarios,
    targets,
    workers: number(values.workers ?? env.BENCH_WORKERS, 2, 'workers'),
    // A quick run checks that the bench works, not how fast anything is: it shares the machine unless asked.
    pin: pinMode(values.pin ?? env.BENCH_PIN ?? (quick ? 'off' : 'auto')),
    repeat: Math.round(number(values.repeat ?? env.BENCH_REPEAT, 1, 'repeat')),
    profile: new Set((values.profile ?? env.BENCH_PROFILE ?? '').split(',').filter(Boolean)),
    users: quick ? 4 : n(60, 4),
    stepMs: number(values['step-ms'] ?? env.BENCH_STEP_MS, quick ? 400 : 3000, 'step-ms'),
    // The drain ends as soon as everything is in, so a long one costs nothing unless the machine is busy;
    // the smoke run checks that nothing is lost, and a test machine shared with other suites can be slow.
    drainMs: quick ? 10_000 : 5000,
    connectConcurrency: 200,
    fanout: {
      connections: n(1000, 20),
      rooms: n(10, 2),
      roomsPerConnection: 2,
      senders: n(20, 4),
      startRate: number(values['fanout-rate'] ?? env.BENCH_FANOUT_RATE, n(25, 4), 'fanout-rate'),
      growth: 1.4,
      maxRate: Number.POSITIVE_INFINITY,
      maxSteps: quick ? 2 : 20,
      refineSteps: quick ? 0 : 2,
      p99LimitMs: 100,
    },
    idle: { connections: n(5000, 50), rooms: n(500, 5), roomsPerConnection: 3, settleMs: quick ? 300 : 3000 },
    storm: { clients: n(2000, 40), rooms: n(30, 3), roomsPerClient: 3, history: 50, timeoutMs: 60_000 },
    persistence: {
      senders: n(50, 4),
      startRate: number(values['persistence-rate'] ?? env.BENCH_PERSISTENCE_RATE, n(1000, 40), 'persistence-rate'),
      growth: 1.4,
      maxRate: 60_000,
      maxSteps: quick ? 2 : 20,
      refineSteps: quick ? 0 : 2,
      p99LimitMs: 50,
    },
    fanoutCluster: {
      rates: clusterRates.length > 0 ? clusterRates : quick ? [5, 10] : [250, 500, 1000].map((r) => n(r, 5)),
    },
    smallRooms: {
      // Even, so that rooms of 2 and 3 members alternately deal out to whole connections.
      rooms: 2 * n(5000, 30),
      roomsPerConnection: 5,
      senders: n(200, 4),
      rate: n(400, 20),
      settleMs: quick ? 300 : 3000,
    },
  };
}

function pinMode(raw: string | undefined): 'auto' | 'off' {
  if (raw === undefined || raw === '' || raw === 'auto') return 'auto';
  if (raw === 'off') return 'off';
  throw new Error(`--pin: expected auto or off, got ${raw}`);
}

function number(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: expected a positive number, got ${raw}`);
  return value;
}

function list<T extends string>(raw: string | undefined, all: readonly T[], what: string, byDefault = all): T[] {
  if (!raw) return [...byDefault];
  const picked = raw.split(',').map((s) => s.trim());
  for (const item of picked)
    if (!all.includes(item as T)) throw new Error(`unknown ${what} ${item}; one of ${all.join(', ')}`);
  return picked as T[];
}
