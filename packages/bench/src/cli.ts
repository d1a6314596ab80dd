#!/usr/bin/env node
/**
 * `npm run bench`: for each scenario, starts the floor server and the whole stack fresh, drives them with
 * generator processes, stops them, and writes bench-results/ (results.json, results.md, latency.svg). Fanout,
 * whose target is a ratio, has both up at once and steps them in turn; the others run one target at a time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { now } from './clock.js';
import { GeneratorPool } from './generator/pool.js';
import { type BenchOptions, parseOptions, type ScenarioName } from './options.js';
import { paths } from './paths.js';
import { Pinning } from './pinning.js';
import { markdown, summaryTable } from './report/markdown.js';
import { latencySvg } from './report/svg.js';
import { allProcesses, othersShare } from './processes.js';
import { judgeRounds, machine, medianAndSpread, type Results } from './results.js';
import type { Context } from './scenarios/context.js';
import { fanout } from './scenarios/fanout.js';
import { fanoutCluster } from './scenarios/fanout-cluster.js';
import { idle } from './scenarios/idle.js';
import { persistence } from './scenarios/persistence.js';
import { smallRooms } from './scenarios/small-rooms.js';
import { storm } from './scenarios/storm.js';
import { startFloor } from './targets/floor.js';
import { startStack } from './targets/stack.js';
import type { Target, TargetName } from './targets/target.js';

/** Scenarios measured on one target at a time, each started fresh. */
const single = {
  idle,
  storm,
  persistence,
  'idle-cluster': idle,
  'small-rooms': smallRooms,
} satisfies Record<string, (ctx: Context) => Promise<unknown>>;

/** Scenarios with both (or all) targets up at once, their steps taken in turn. */
const sideBySide = { fanout, 'fanout-cluster': fanoutCluster } satisfies Record<
  string,
  (contexts: Context[]) => Promise<unknown[]>
>;

/**
 * The targets a scenario runs on: the cluster scenarios compare one gateway with three (small rooms: three
 * only), whatever --targets says; persistence is about the store, which the floor has none of.
 */
function targetsOf(scenario: ScenarioName, asked: TargetName[]): TargetName[] {
  if (scenario === 'fanout-cluster' || scenario === 'idle-cluster') return ['stack', 'cluster'];
  if (scenario === 'small-rooms') return ['cluster'];
  return asked.filter((name) => !(scenario === 'persistence' && name === 'floor'));
}

function log(line: string): void {
  console.log(`[bench] ${line}`);
}

async function main(options: BenchOptions): Promise<number> {
  const pinning = Pinning.create(options.pin);
  pinning.generator([process.pid]);
  const logDir = join(options.out, 'logs');
  mkdirSync(logDir, { recursive: true });
  const startedAt = new Date();
  const began = now();
  const results: Results = {
    startedAt: startedAt.toISOString(),
    durationSec: 0,
    machine: machine(),
    options: { ...options, profile: [...options.profile] },
    scenarios: {},
    errors: [],
    otherLoad: [],
    targets: [],
    pinning: pinning.describe(),
    rounds: [],
  };
  log(`${results.machine.cpus} × ${results.machine.cpu}, Node ${results.machine.node}; results in ${options.out}`);
  log(results.pinning);

  const profileGenerators = options.profile.has('generator') ? logDir : undefined;
  const running = new Set<{ target: Target; pool: GeneratorPool }>();
  const start = async (scenario: ScenarioName, name: TargetName): Promise<Context> => {
    log(`${scenario} · ${name} starting`);
    const targetOptions = { users: options.users, logDir, label: scenario, profile: options.profile };
    const target =
      name === 'floor' ? await startFloor(targetOptions) : await startStack(targetOptions, name === 'cluster');
    pinning.server(Object.values(target.processes()).flat());
    const pool = new GeneratorPool(options.workers, profileGenerators);
    pinning.generator(pool.pids());
    running.add({ target, pool });
    if (interrupted) throw new Error('interrupted');
    return { target, pool, pinning, options, log };
  };
  // Stops everything started, once, whatever fails on the way: an interrupt and the scenario it cut short
  // both call this, and the target (processes, a database) must be stopped even if its generators are gone.
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      for (const r of running) {
        await r.pool.closeClients().catch(() => {});
        await r.pool.stop().catch(() => {});
        await r.target.stop().catch((err: unknown) => log(`stopping ${r.target.name} failed: ${String(err)}`));
      }
      running.clear();
    })().finally(() => {
      stopping = undefined;
    });
    return stopping;
  };
  // The first Ctrl-C stops what runs and lets the loop below wind down (a target that was still starting is
  // stopped as soon as it is up); a second one leaves at once.
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted; stopping what was started');
    void stopAll();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  let round: Results['scenarios'] = {};
  const record = (scenario: ScenarioName, name: TargetName, result: unknown) => {
    const byTarget = (round[scenario] ?? {}) as Record<TargetName, unknown>;
    byTarget[name] = result;
    round[scenario] = byTarget as never;
  };
  const fail = (scenario: ScenarioName, names: TargetName[], err: unknown) => {
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`${scenario} · ${names.join(' + ')} failed: ${error}`);
    for (const target of names) results.errors.push({ scenario, target, error });
  };

  /** Notes how much CPU other processes took while `run` was measured (before its targets stop). */
  let othersBefore = allProcesses();
  let othersSince = now();
  const noteOthers = (run: string) => {
    const ours = new Set([...running].flatMap((r) => Object.values(r.target.processes()).flat()));
    const share = othersShare(othersBefore, allProcesses(), ours, now() - othersSince, cpus().length);
    results.otherLoad.push({ run, share });
    if (share >= 0.1) log(`${run}: other processes used ${Math.round(share * 100)} % of the machine meanwhile`);
  };
  const resetOthers = () => {
    othersBefore = allProcesses();
    othersSince = now();
  };

  for (let n = 1; n <= options.repeat && !interrupted; n++) {
    if (options.repeat > 1) log(`run ${n} of ${options.repeat}`);
    round = {};
    results.rounds.push(round);
    await runRound();
  }

  async function runRound() {
    for (const scenario of options.scenarios) {
      if (interrupted) break;
      const names = targetsOf(scenario, options.targets);
      if (scenario === 'fanout' || scenario === 'fanout-cluster') {
        // Side by side: both targets up, their steps taken in turn.
        try {
          const contexts: Context[] = [];
          for (const name of names) contexts.push(await start(scenario, name));
          resetOthers();
          const measured = await sideBySide[scenario](contexts);
          noteOthers(scenario);
          for (const [i, name] of names.entries()) record(scenario, name, measured[i]);
        } catch (err) {
          fail(scenario, names, err);
        } finally {
          await stopAll();
        }
        continue;
      }
      for (const name of names) {
        if (interrupted) break;
        try {
          const context = await start(scenario, name);
          resetOthers();
          record(scenario, name, await single[scenario](context));
          noteOthers(`${scenario}/${name}`);
        } catch (err) {
          fail(scenario, [name], err);
        } finally {
          await stopAll();
        }
      }
    }
  }

  if (interrupted) {
    log('interrupted: no results written');
    return 130;
  }
  results.durationSec = Math.round((now() - began) / 1000);
  const verdicts = judgeRounds(results.rounds);
  results.scenarios = verdicts.scenarios;
  results.targets = verdicts.targets;
  writeFileSync(join(options.out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(options.out, 'results.md'), markdown(results));
  writeFileSync(join(options.out, 'latency.svg'), latencySvg(results));

  console.log(`\n${summaryTable(results)}\n`);
  for (const t of results.targets) {
    const verdict = t.pass === null ? 'n/a ' : t.pass ? 'PASS' : 'FAIL';
    const runs = t.runs ? `; ${t.runs.passed} of ${t.runs.ratios.length} runs passed` : '';
    console.log(`${verdict}  ${t.scenario}: ${t.goal} — ${t.measured} (ratio ${t.ratio ?? '—'}${runs})`);
    for (const c of t.cpuAtFirstStep ?? []) {
      console.log(`      ${c.target} server CPU at ${c.offered}/s offered: ${medianAndSpread(c.usPerMessage)} µs/msg`);
    }
  }
  console.log(results.pinning);
  console.log(
    `\nwritten: ${['results.json', 'results.md', 'latency.svg'].map((f) => join(options.out, f)).join(', ')}`,
  );
  return results.errors.length > 0 ? 1 : 0;
}

const options = parseOptions(process.argv.slice(2), process.env, join(paths.repoRoot, 'bench-results'));
process.exitCode = await main(options);
