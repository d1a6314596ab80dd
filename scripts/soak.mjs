// `npm run soak [-- --minutes 60 --interval 60 --idle 75]`: the default stack (`npm start` with nothing configured:
// its own nats-server, embedded Postgres) under a light chat load with idle gaps longer than every timeout in the
// system, for a long time. A benchmark, not a test: it reports per interval the errors by code, the send-ack
// p50/p99 and the RSS of every process, and passes when there was no error and no process grew by more than 10 %
// between the second interval and the last. Results go to soak-results/ as JSON and Markdown.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    interval: { type: 'string', default: '60' },
    // Longer than the pool's idle timeout (10 s), the user caches (10 s), NATS pings (10 s), request deadlines
    // (3 s) and the login limits' window (60 s).
    idle: { type: 'string', default: '75' },
    active: { type: 'string', default: '20' },
    users: { type: 'string', default: '6' },
    // Each user's pause between sends while active, ms (±30 %).
    pause: { type: 'string', default: '1000' },
  },
});
const minutes = Number(flags.minutes);
const intervalMs = Number(flags.interval) * 1000;
const idleMs = Number(flags.idle) * 1000;
const activeMs = Number(flags.active) * 1000;
const userCount = Number(flags.users);
const pauseMs = Number(flags.pause);
const root = resolve(import.meta.dirname, '..');
const PASSWORD = 'soak password 1';
const GROWTH_LIMIT = 0.1;

function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function rssKiB(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function percentile(values, p) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// The stack, exactly as `npm start` runs it, in a data folder of its own; NATS_URL and DATABASE_URL are removed so
// the embedded defaults are what is measured.
const dataDir = mkdtempSync(join(tmpdir(), 'chat-soak-'));
const port = await freePort();
const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
delete env.NATS_URL;
delete env.DATABASE_URL;
const launcher = spawn(process.execPath, [join(root, 'scripts', 'dev-stack.mjs')], {
  env,
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
});
let launcherOutput = '';
launcher.stdout.on('data', (chunk) => {
  launcherOutput += chunk;
  process.stdout.write(chunk);
});
const stopLauncher = () => {
  try {
    process.kill(-launcher.pid, 'SIGINT');
  } catch {}
};
process.on('SIGINT', () => {
  stopLauncher();
  process.exit(130);
});
while (!launcherOutput.includes('[stack] open ')) {
  if (launcher.exitCode !== null) throw new Error('the stack exited before it was open');
  await sleep(100);
}
const base = `http://127.0.0.1:${port}`;
const stack = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8'));
const processes = [{ name: 'launcher + embedded Postgres', pid: stack.pid }, ...stack.children];

const made = spawnSync(process.execPath, [join(root, 'scripts', 'createsuperuser.mjs'), '--username', 'admin'], {
  env: { ...env, CHAT_SUPERUSER_PASSWORD: PASSWORD },
  encoding: 'utf8',
});
if (made.status !== 0) throw new Error(`createsuperuser failed: ${made.stderr}`);

let stopping = false;
const errors = new Map(); // code -> count, for the current interval
const acks = []; // ms, for the current interval
let sends = 0;
function countError(code) {
  errors.set(code, (errors.get(code) ?? 0) + 1);
}

async function call(method, path, { token, body } = {}) {
  try {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : null,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!res.ok) countError(`HTTP ${res.status} ${parsed?.code ?? ''}`.trim());
    return { status: res.status, body: parsed };
  } catch (err) {
    countError(`HTTP ${err.name}`);
    return { status: 0, body: undefined };
  }
}

async function login(username) {
  const res = await call('POST', '/api/auth/login', { body: { username, password: PASSWORD } });
  return res.body?.token;
}

/** One user's socket: requests by ref, answered in order of arrival. */
function connect(token) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${token}` } });
  const pending = new Map();
  let next = 0;
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.type !== 'reply') return;
    pending.get(frame.ref)?.(frame);
    pending.delete(frame.ref);
  });
  ws.on('close', (code) => {
    if (!stopping) countError(`socket closed ${code}`);
  });
  const request = (frame) =>
    new Promise((res) => {
      const ref = `s${++next}`;
      const timer = setTimeout(() => {
        pending.delete(ref);
        res({ ok: false, error: { code: 'NO_REPLY_10S' } });
      }, 10_000);
      pending.set(ref, (reply) => {
        clearTimeout(timer);
        res(reply);
      });
      ws.send(JSON.stringify({ ...frame, ref }));
    });
  return new Promise((res, rej) => {
    ws.once('open', () => res({ ws, request }));
    ws.once('error', rej);
  });
}

const adminToken = await login('admin');
const rooms = [];
for (const title of ['Soak one', 'Soak two', 'Soak three']) {
  rooms.push((await call('POST', '/api/rooms', { token: adminToken, body: { title } })).body.id);
}
const clients = [];
for (let i = 0; i < userCount; i++) {
  const username = `soaker${i}`;
  await call('POST', '/api/auth/users', { token: adminToken, body: { username, password: PASSWORD } });
  const client = await connect(await login(username));
  for (const room of rooms) {
    const reply = await client.request({ type: 'join', room });
    if (!reply.ok) countError(`join ${reply.error?.code}`);
  }
  clients.push({ username, ...client });
}

const started = Date.now();
const endAt = started + minutes * 60_000;

/** Active phases (each client sends every `pause` ms; one of them also reads history, leaves and rejoins), then quiet. */
async function drive() {
  let cycle = 0;
  while (!stopping && Date.now() < endAt) {
    cycle++;
    const activeUntil = Math.min(Date.now() + activeMs, endAt);
    await Promise.all(
      clients.map(async (client, i) => {
        for (let n = 0; Date.now() < activeUntil && !stopping; n++) {
          const room = rooms[(i + n) % rooms.length];
          const sentAt = performance.now();
          const reply = await client.request({
            type: 'send',
            room,
            text: `cycle ${cycle} #${n} from ${client.username}`,
          });
          sends++;
          if (reply.ok) acks.push(performance.now() - sentAt);
          else countError(`send ${reply.error?.code}`);
          await sleep(pauseMs * (0.7 + Math.random() * 0.6));
        }
      }),
    );
    const [first] = clients;
    const history = await call('GET', `/api/rooms/${rooms[0]}/messages?limit=50`, {
      token: await login(first.username),
    });
    if (history.status === 200 && history.body.messages.length === 0) countError('history empty');
    const left = await first.request({ type: 'leave', room: rooms[1] });
    const joined = await first.request({ type: 'join', room: rooms[1] });
    if (!left.ok) countError(`leave ${left.error?.code}`);
    if (!joined.ok) countError(`join ${joined.error?.code}`);
    const quietUntil = Math.min(Date.now() + idleMs, endAt);
    while (!stopping && Date.now() < quietUntil) await sleep(250);
  }
}

const intervals = [];
/** What nats-server says of itself (its monitoring endpoint): to tell a leak of subscriptions from heap warm-up. */
async function natsVarz() {
  if (!stack.natsMonitorUrl) return undefined;
  try {
    const varz = await (await fetch(`${stack.natsMonitorUrl}/varz`, { signal: AbortSignal.timeout(2000) })).json();
    return { connections: varz.connections, subscriptions: varz.subscriptions, memBytes: varz.mem };
  } catch {
    return undefined;
  }
}

async function takeInterval() {
  const rss = Object.fromEntries(processes.map(({ name, pid }) => [name, rssKiB(pid)]));
  const nats = await natsVarz();
  const interval = {
    endsAtS: Math.round((Date.now() - started) / 1000),
    sends,
    errors: Object.fromEntries(errors),
    ackP50Ms: percentile(acks, 50),
    ackP99Ms: percentile(acks, 99),
    rssKiB: rss,
    nats,
  };
  intervals.push(interval);
  errors.clear();
  acks.length = 0;
  sends = 0;
  const fmt = (v) => (v === undefined ? '—' : v.toFixed(1));
  console.log(
    `[soak] ${String(interval.endsAtS).padStart(5)} s  sends ${String(interval.sends).padStart(4)}  errors ${JSON.stringify(interval.errors)}  ack p50/p99 ${fmt(interval.ackP50Ms)}/${fmt(interval.ackP99Ms)} ms  RSS MiB ${processes.map(({ name }) => `${name.split(' ')[0]} ${((rss[name] ?? 0) / 1024).toFixed(1)}`).join(', ')}${nats ? `  NATS subscriptions ${nats.subscriptions}` : ''}`,
  );
}

const driving = drive();
while (Date.now() < endAt) {
  await sleep(Math.min(intervalMs, Math.max(0, endAt - Date.now())));
  await takeInterval();
}
stopping = true;
await driving;
for (const client of clients) client.ws.close();
stopLauncher();
await new Promise((res) => launcher.once('exit', res));

const totalErrors = intervals.reduce((n, i) => n + Object.values(i.errors).reduce((a, b) => a + b, 0), 0);
const second = intervals[1] ?? intervals[0];
const last = intervals.at(-1);
const growth = processes.map(({ name }) => {
  const from = second.rssKiB[name];
  const to = last.rssKiB[name];
  return { name, fromKiB: from, toKiB: to, growth: from && to ? (to - from) / from : undefined };
});
const passed = totalErrors === 0 && growth.every((g) => g.growth !== undefined && g.growth <= GROWTH_LIMIT);

const results = {
  startedAt: new Date(started).toISOString(),
  node: process.version,
  options: { minutes, intervalS: intervalMs / 1000, idleS: idleMs / 1000, activeS: activeMs / 1000, users: userCount },
  intervals,
  growth,
  totalErrors,
  passed,
};
const outDir = join(root, 'soak-results');
mkdirSync(outDir, { recursive: true });
const stamp = new Date(started).toISOString().replaceAll(':', '-').slice(0, 19);
writeFileSync(join(outDir, `soak-${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
const table = [
  '| interval end | sends | errors | ack p50 / p99 ms | ' +
    processes.map(({ name }) => `${name} RSS MiB`).join(' | ') +
    ' | NATS subscriptions |',
  `|---:|---:|---|---:|${processes.map(() => '---:').join('|')}|---:|`,
  ...intervals.map(
    (i) =>
      `| ${i.endsAtS} s | ${i.sends} | ${Object.keys(i.errors).length ? JSON.stringify(i.errors) : 'none'} | ${i.ackP50Ms?.toFixed(1) ?? '—'} / ${i.ackP99Ms?.toFixed(1) ?? '—'} | ` +
      processes.map(({ name }) => ((i.rssKiB[name] ?? 0) / 1024).toFixed(1)).join(' | ') +
      ` | ${i.nats?.subscriptions ?? '—'} |`,
  ),
];
const summary = growth
  .map((g) => `${g.name} ${g.growth === undefined ? 'gone' : `${(g.growth * 100).toFixed(1)} %`}`)
  .join(', ');
writeFileSync(
  join(outDir, `soak-${stamp}.md`),
  `# Soak ${results.startedAt} (${minutes} min)\n\n${table.join('\n')}\n\nRSS growth from the second interval to the last: ${summary}.\nErrors: ${totalErrors}. ${passed ? 'PASS' : 'FAIL'}\n`,
);
console.log(`[soak] RSS growth, second interval to last: ${summary}`);
console.log(`[soak] errors: ${totalErrors}; ${passed ? 'PASS' : 'FAIL'} (results in ${outDir})`);
rmSync(dataDir, { recursive: true, force: true });
process.exit(passed ? 0 : 1);
