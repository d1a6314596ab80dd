// `npm start`: the whole stack on this machine. Uses NATS_URL and DATABASE_URL when they are set; otherwise
// starts nats-server from PATH on a free port and embedded Postgres (PGlite) in the data folder.
//
// Its own nats-server runs with deploy/nats-server.conf, the compose stack's file: a user per service, each
// allowed only its subjects, with passwords generated into the data folder. Without them a local process can
// neither connect nor, say, answer auth.user.get as if it were auth.
//
// Stopping (Ctrl-C, or SIGINT/SIGTERM to this process alone) goes in order: the gateway first (clients are told
// to reconnect, 1012), then auth and rooms (requests in flight finish, queued messages are committed), and only
// then nats-server and the databases they were using. The children run in process groups of their own, so a
// Ctrl-C in the terminal reaches this launcher only and cannot stop NATS under services that still need it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDevKeyPair } from '@chat/service-kit';
import { ensureNatsCredentials, natsCredentialsFile, natsServerEnv } from './dev-nats-credentials.mjs';
import { startEmbeddedPostgres } from './embedded-postgres.mjs';

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(root, process.env.DATA_DIR ?? '.data');
const stackFile = join(dataDir, 'stack.json');
const natsConfigFile = join(root, 'deploy', 'nats-server.conf');
const host = process.env.HOST ?? '127.0.0.1';
/** How long each stage of the shutdown may take before its processes are killed. */
const STOP_GRACE_MS = 15_000;

const children = []; // { name, child, exited }
const databases = []; // { name, stop }
let stopping = false;
let natsMonitorUrl;

function say(line) {
  console.log(`[stack] ${line}`);
}

function fail(line) {
  console.error(`[stack] ${line}`);
  process.exit(1);
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Resolves with the error code when `port` cannot be listened on, undefined when it is free. */
function portProblem(port) {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', (err) => res(err.code ?? 'EADDRINUSE'));
    s.listen(port, host, () => s.close(() => res(undefined)));
  });
}

/** Whether something accepts connections on a local port (without taking the port, as a listen probe would). */
function accepts(port) {
  return new Promise((res) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      res(true);
    });
    socket.once('error', () => res(false));
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A launcher that was killed outright (SIGKILL) leaves its children; they are stopped before anything starts. */
function clearLeftovers() {
  if (!existsSync(stackFile)) return;
  let previous;
  try {
    previous = JSON.parse(readFileSync(stackFile, 'utf8'));
  } catch {
    rmSync(stackFile, { force: true });
    return;
  }
  if (alive(previous.pid))
    fail(
      `another stack (pid ${previous.pid}) is running with the data folder ${dataDir}; stop it first, or set DATA_DIR to another folder`,
    );
  for (const { name, pid } of previous.children ?? []) {
    const commandLine = readCommandLine(pid);
    if (!commandLine.includes(name === 'nats-server' ? 'nats-server' : join('services', name))) continue;
    say(`stopping ${name} (pid ${pid}) left running by an earlier stack`);
    process.kill(pid, 'SIGKILL');
  }
  rmSync(stackFile, { force: true });
}

function readCommandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function track(name, child) {
  const entry = { name, child, exited: new Promise((r) => child.once('exit', (code, signal) => r(signal ?? code))) };
  children.push(entry);
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[stack] ${name} exited (${signal ?? `code ${code}`}); stopping the stack`);
      stop(1);
    }
  });
  return entry;
}

/** The server's URL, and the passwords of its users when it is this launcher's own server. */
async function startNats() {
  if (process.env.NATS_URL) return { url: process.env.NATS_URL };
  const found = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (found.error)
    fail(
      'nats-server is not on PATH. Install it (Debian/Ubuntu: apt-get install nats-server; macOS: brew install nats-server;\n' +
        '        or download from https://github.com/nats-io/nats-server/releases), or set NATS_URL to a running server.',
    );
  const port = await freePort();
  // The monitoring endpoint (/varz, /connz, /subsz) lets one look inside without the nats CLI.
  const monitorPort = await freePort();
  natsMonitorUrl = `http://127.0.0.1:${monitorPort}`;
  const logFile = join(dataDir, 'nats-server.log');
  const log = openSync(logFile, 'a');
  const credentials = ensureNatsCredentials(dataDir);
  // The flags override the file's port, monitoring port and address (4222 and 8222 on every interface).
  const args = ['-c', natsConfigFile, '-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort)];
  const child = spawn('nats-server', args, {
    env: { ...process.env, ...natsServerEnv(credentials) },
    stdio: ['ignore', log, log],
    detached: true,
  });
  track('nats-server', child);
  const url = `nats://127.0.0.1:${port}`;
  // Ready once it accepts connections.
  for (let tries = 0; tries < 200 && !(await accepts(port)); tries++) await sleep(50);
  say(`${found.stdout.trim()} on ${url} (monitoring: ${natsMonitorUrl}, log: ${logFile})`);
  say(
    `NATS is locked (deploy/nats-server.conf, passwords in ${natsCredentialsFile(dataDir)}); watch it with: nats --server ${url} --user operator --password ${credentials.operator} sub '>'`,
  );
  return { url, credentials };
}

/** A service's NATS user on this launcher's own server (named as in deploy/nats-server.conf). */
function natsLogin(nats, user) {
  return nats.credentials ? { NATS_USER: user, NATS_PASS: nats.credentials[user] } : {};
}

async function startDatabases() {
  if (process.env.DATABASE_URL)
    return { auth: process.env.DATABASE_URL, rooms: process.env.DATABASE_URL, embedded: false };
  const urls = { embedded: true };
  for (const name of ['auth', 'rooms']) {
    const embedded = await startEmbeddedPostgres(dataDir, name, 0);
    databases.push({ name, stop: embedded.stop });
    urls[name] = embedded.url;
  }
  say(`embedded Postgres (PGlite) in ${join(dataDir, 'pglite')}`);
  return urls;
}

function startService(name, env) {
  const child = spawn(process.execPath, [join(root, 'services', name, 'dist', 'server.js')], {
    env: { ...process.env, ...env },
    // The IPC channel lets a service notice this launcher going away, however it went.
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  track(name, child);
}

/** Signals the named children and waits for them, killing any still running after the grace period. */
async function stopChildren(names, signal = 'SIGTERM') {
  const entries = children.filter((entry) => names.includes(entry.name));
  const running = entries.filter(({ child }) => child.exitCode === null && child.signalCode === null);
  if (running.length === 0) return;
  for (const { child } of running) child.kill(signal);
  const timer = setTimeout(() => {
    for (const { name, child } of running) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      console.error(`[stack] ${name} did not stop within ${STOP_GRACE_MS / 1000} s; killing it`);
      child.kill('SIGKILL');
    }
  }, STOP_GRACE_MS);
  await Promise.all(running.map(({ exited }) => exited));
  clearTimeout(timer);
  say(`${running.map(({ name }) => name).join(' and ')} stopped`);
}

async function stop(code = 0, why = undefined) {
  if (stopping) return;
  stopping = true;
  if (why) say(`${why}: stopping the gateway (clients are told to reconnect)`);
  await stopChildren(['gateway']);
  await stopChildren(['auth', 'rooms']);
  await stopChildren(['nats-server']);
  for (const database of databases) {
    await database
      .stop()
      .catch((err) => console.error(`[stack] closing the ${database.name} database: ${err.message}`));
  }
  if (databases.length > 0) say('embedded Postgres closed');
  rmSync(stackFile, { force: true });
  say('stopped');
  process.exit(code);
}
// SIGINT may come twice for one Ctrl-C (from the terminal, and forwarded by npm); stop() runs once.
process.on('SIGINT', () => stop(0, 'SIGINT'));
process.on('SIGTERM', () => stop(0, 'SIGTERM'));
process.on('SIGHUP', () => stop(0, 'SIGHUP'));

/** Waits until the gateway says every part is ready; says what is still missing while it waits. */
async function waitUntilReady(url) {
  const started = Date.now();
  let lastReport = started;
  while (!stopping) {
    const report = await fetch(url, { signal: AbortSignal.timeout(2500) })
      .then(async (res) => ({ ok: res.ok, body: await res.json().catch(() => undefined) }))
      .catch((err) => ({ ok: false, body: { error: err.cause?.code ?? err.name } }));
    if (report.ok) return;
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      const failing = Object.entries(report.body?.checks ?? {})
        .filter(([, check]) => !check.ok)
        .map(([part, check]) => `${part}: ${check.error}`);
      say(
        `still starting after ${Math.round((Date.now() - started) / 1000)} s (${failing.join('; ') || report.body?.error || 'no answer'})`,
      );
    }
    await sleep(100);
  }
}

mkdirSync(dataDir, { recursive: true });
clearLeftovers();
const gatewayPort = Number(process.env.PORT ?? 8080);
if (!Number.isInteger(gatewayPort) || gatewayPort < 0 || gatewayPort > 65535)
  fail(`PORT=${process.env.PORT} is not a port number; set PORT to a free port, e.g. PORT=8081 npm start`);
const problem = await portProblem(gatewayPort);
if (problem === 'EADDRINUSE')
  fail(
    `port ${gatewayPort} on ${host} is already in use by another program; set PORT to a free port, e.g. PORT=8081 npm start`,
  );
if (problem) fail(`cannot listen on port ${gatewayPort} on ${host} (${problem}); set PORT to another port`);

const keys = ensureDevKeyPair(dataDir);
const nats = await startNats();
const db = await startDatabases();
const authPort = process.env.AUTH_PORT ?? String(await freePort());
const roomsPort = process.env.ROOMS_PORT ?? String(await freePort());
const common = {
  NATS_URL: nats.url,
  DATA_DIR: dataDir,
  JWT_PUBLIC_KEY_FILE: keys.publicKey,
  // The embedded database serves one session at a time: more connections would only take turns.
  ...(db.embedded ? { DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX ?? '1' } : {}),
};
startService('auth', {
  ...common,
  ...natsLogin(nats, 'auth'),
  PORT: authPort,
  DATABASE_URL: db.auth,
  JWT_PRIVATE_KEY_FILE: keys.privateKey,
});
startService('rooms', { ...common, ...natsLogin(nats, 'rooms'), PORT: roomsPort, DATABASE_URL: db.rooms });
startService('gateway', {
  ...common,
  ...natsLogin(nats, 'gateway'),
  PORT: String(gatewayPort),
  AUTH_URL: `http://127.0.0.1:${authPort}`,
  ROOMS_URL: `http://127.0.0.1:${roomsPort}`,
});
writeFileSync(
  stackFile,
  JSON.stringify(
    {
      pid: process.pid,
      authDatabaseUrl: db.auth,
      natsUrl: nats.url,
      natsMonitorUrl,
      // Who may watch the bus (every subject, but not publish as a service): for the nats CLI and the tests.
      ...(nats.credentials ? { natsOperator: { user: 'operator', password: nats.credentials.operator } } : {}),
      children: children.map(({ name, child }) => ({ name, pid: child.pid })),
    },
    null,
    2,
  ),
  // It holds the operator's password, so it is as closed as the credentials file.
  { mode: 0o600 },
);
const localHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
await waitUntilReady(`http://${localHost}:${gatewayPort}/readyz`);
if (!stopping) say(`open http://${localHost}:${gatewayPort}  (make an admin with: npm run createsuperuser)`);
