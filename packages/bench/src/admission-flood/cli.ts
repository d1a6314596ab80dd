/**
 * `npm run bench:flood -w @chat/bench`: another user's connect time while one address floods the gateway's
 * door (issue 12, fair admission). The whole stack runs as in production (separate processes, default
 * gateway limits, MAX_CONNECTIONS_PER_USER included); the gateway is pinned to CPU 0, the flood generator
 * and this process (the measured user) to CPU 1, so the flood's own cost does not land on the gateway's core.
 *
 * Each repeat and scenario: `--quiet` connects of the measured user alone, one after another; then a burst of
 * `--handshakes` upgrades from 127.0.0.2 (Linux routes all of 127/8 to loopback) while the measured user,
 * from 127.0.0.1, connects again and again until the burst is answered. A connect is timed to the socket's
 * open and to the reply to its first join. Scenarios: `forged` (every token with a random signature, each
 * distinct), `valid` (one user's real token, every time). The target: flood median within 2x quiet.
 *
 *   node packages/bench/dist/admission-flood/cli.js [--repeats 5] [--handshakes 6000] [--quiet 20]
 *        [--scenarios forged,valid] [--out bench-results/admission-flood.json]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { sleep } from '../clock.js';
import { paths } from '../paths.js';
import { createRoom, newUserToken } from '../rest-client.js';
import { startBenchStack } from '../targets/bench-stack.js';
import type { FloodOrder, FloodReport } from './flood-worker.js';

const { values: args } = parseArgs({
  options: {
    repeats: { type: 'string', default: '5' },
    handshakes: { type: 'string', default: '6000' },
    quiet: { type: 'string', default: '20' },
    scenarios: { type: 'string', default: 'forged,valid' },
    out: { type: 'string', default: 'bench-results/admission-flood.json' },
  },
});
const REPEATS = Number(args.repeats);
const HANDSHAKES = Number(args.handshakes);
const QUIET_SAMPLES = Number(args.quiet);
const SCENARIOS = (args.scenarios ?? '').split(',') as ('forged' | 'valid')[];
const GATEWAY_CPU = '0';
const CLIENT_CPU = '1';

interface Sample {
  openMs: number;
  joinMs: number;
}

/** Pins a running process and all its threads to one CPU. */
function pin(pid: number, cpu: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { stdio: 'ignore' });
}

async function startStack(logDir: string) {
  // No gatewayEnv: the gateway's admission and per-user limits as shipped are what is measured.
  const bench = await startBenchStack({
    databasePrefix: 'chat_bench_flood',
    logFile: (name) => join(logDir, `flood-${name}.log`),
    authEnv: { LOGINS_PER_ADDRESS: '1000000' },
  });
  try {
    const { stack, base, adminToken } = bench;
    const gatewayPid = stack.gateways[0]?.pid;
    if (!gatewayPid) throw new Error('the stack started no gateway');
    pin(gatewayPid, GATEWAY_CPU);
    const userToken = (username: string) => newUserToken(base, adminToken, username, `${username}-password`);
    return {
      wsUrl: `${base.replace('http', 'ws')}/ws`,
      room: await createRoom(base, adminToken, 'Flood bench'),
      victim: await userToken('victim'),
      flooder: await userToken('flooder'),
      stop: bench.stop,
    };
  } catch (err) {
    await bench.stop().catch(() => {});
    throw err;
  }
}

/** One connect of the measured user: handshake to open, and to the reply to its first join. */
function connectOnce(wsUrl: string, token: string, room: string): Promise<Sample> {
  const started = performance.now();
  const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` }, localAddress: '127.0.0.1' });
  return new Promise((resolve, reject) => {
    let openMs = 0;
    ws.once('open', () => {
      openMs = performance.now() - started;
      ws.send(JSON.stringify({ type: 'join', room, ref: 'j1' }));
    });
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string; ref?: string; ok?: boolean };
      if (frame.type !== 'reply' || frame.ref !== 'j1') return;
      const joinMs = performance.now() - started;
      ws.close();
      if (frame.ok) resolve({ openMs, joinMs });
      else reject(new Error(`join refused: ${data.toString()}`));
    });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function startWorker(): ChildProcess {
  const entry = join(paths.dist, 'admission-flood', 'flood-worker.js');
  return spawn('taskset', ['-c', CLIENT_CPU, process.execPath, entry], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function floodOnce(worker: ChildProcess, order: FloodOrder): Promise<FloodReport> {
  return new Promise((resolve) => {
    worker.once('message', (report) => resolve(report as FloodReport));
    worker.send(order);
  });
}

/**
 * SYNs the kernel dropped because a listen queue was full (system-wide, /proc/net/netstat): a connect that
 * meets a full queue waits for TCP's retransmission (1 s, then 3 s, then 7 s), whatever the gateway does.
 */
function listenOverflows(): number {
  const [names = '', values = ''] = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const at = names.split(' ').indexOf('ListenOverflows');
  return Number(values.split(' ')[at]);
}

const quantile = (values: number[], q: number) => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const median = (values: number[]) => quantile(values, 0.5);
const round = (ms: number) => Math.round(ms * 10) / 10;

async function main() {
  pin(process.pid, CLIENT_CPU);
  const out = join(paths.repoRoot, args.out ?? 'bench-results/admission-flood.json');
  const logDir = join(dirname(out), 'logs');
  mkdirSync(logDir, { recursive: true });
  const stack = await startStack(logDir);
  const worker = startWorker();
  const runs: {
    scenario: string;
    repeat: number;
    quiet: Sample[];
    flood: Sample[];
    report: FloodReport;
    listenOverflows: number;
  }[] = [];
  try {
    // Warm-up: the first connects pay for JIT and connection setup everywhere.
    for (let i = 0; i < 10; i++) await connectOnce(stack.wsUrl, stack.victim, stack.room);
    for (let repeat = 1; repeat <= REPEATS; repeat++) {
      for (const scenario of SCENARIOS) {
        const quiet: Sample[] = [];
        for (let i = 0; i < QUIET_SAMPLES; i++) {
          quiet.push(await connectOnce(stack.wsUrl, stack.victim, stack.room));
          await sleep(20);
        }
        const flood: Sample[] = [];
        const overflowsBefore = listenOverflows();
        let flooding = true;
        const report = floodOnce(worker, {
          url: stack.wsUrl,
          localAddress: '127.0.0.2',
          handshakes: HANDSHAKES,
          token: stack.flooder,
          forged: scenario === 'forged',
        }).finally(() => {
          flooding = false;
        });
        // A moment for the burst to reach the door, then connect again and again while it lasts.
        await sleep(20);
        while (flooding) {
          flood.push(await connectOnce(stack.wsUrl, stack.victim, stack.room));
          await sleep(20);
        }
        runs.push({
          scenario,
          repeat,
          quiet,
          flood,
          report: await report,
          listenOverflows: listenOverflows() - overflowsBefore,
        });
        const r = runs.at(-1);
        console.log(
          `${scenario} #${repeat}: quiet open median ${round(median(quiet.map((s) => s.openMs)))} ms, ` +
            `flood open median ${round(median(flood.map((s) => s.openMs)))} ms (${flood.length} connects); ` +
            `burst answered in ${Math.round(r?.report.ms ?? 0)} ms: ${JSON.stringify(r?.report.statuses)}; ` +
            `listen overflows ${r?.listenOverflows}`,
        );
        await sleep(1000); // the burst's sockets closed, the gateway idle again
      }
    }
  } finally {
    worker.kill();
    await stack.stop();
  }

  const summary = SCENARIOS.map((scenario) => {
    const mine = runs.filter((r) => r.scenario === scenario);
    const pooled = (phase: 'quiet' | 'flood', metric: keyof Sample) =>
      mine.flatMap((r) => r[phase].map((s) => s[metric]));
    const perRepeat = (phase: 'quiet' | 'flood', metric: keyof Sample) =>
      mine.map((r) => round(median(r[phase].map((s) => s[metric]))));
    const row = (metric: keyof Sample) => {
      const quiet = pooled('quiet', metric);
      const flood = pooled('flood', metric);
      return {
        metric,
        quietMedian: round(median(quiet)),
        quietP99: round(quantile(quiet, 0.99)),
        floodMedian: round(median(flood)),
        floodP99: round(quantile(flood, 0.99)),
        ratio: Math.round((median(flood) / median(quiet)) * 100) / 100,
        // Each repeat against its own quiet phase: on a shared machine the background moves between repeats.
        ratioPerRepeat: mine.map(
          (r) =>
            Math.round((median(r.flood.map((s) => s[metric])) / median(r.quiet.map((s) => s[metric]))) * 100) / 100,
        ),
        quietMedianPerRepeat: perRepeat('quiet', metric),
        floodMedianPerRepeat: perRepeat('flood', metric),
        samples: { quiet: quiet.length, flood: flood.length },
      };
    };
    return {
      scenario,
      open: row('openMs'),
      join: row('joinMs'),
      bursts: mine.map((r) => ({ ...r.report, listenOverflows: r.listenOverflows })),
    };
  });
  writeFileSync(out, JSON.stringify({ handshakes: HANDSHAKES, repeats: REPEATS, summary, runs }, null, 2));
  console.log(
    '\n| scenario | to | quiet median / p99 | flood median / p99 | flood ÷ quiet | per repeat: quiet → flood median (ratio) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const s of summary) {
    for (const row of [s.open, s.join]) {
      console.log(
        `| ${s.scenario} | ${row.metric === 'openMs' ? 'open' : 'join reply'} | ${row.quietMedian} / ${row.quietP99} ms | ` +
          `${row.floodMedian} / ${row.floodP99} ms | ${row.ratio} | ` +
          row.quietMedianPerRepeat
            .map((quiet, i) => `${quiet} → ${row.floodMedianPerRepeat[i]} (${row.ratioPerRepeat[i]})`)
            .join(', ') +
          ' |',
      );
    }
  }
  console.log(`\nwritten to ${out}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
