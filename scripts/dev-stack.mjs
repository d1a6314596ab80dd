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
// Starting and stopping the processes is @chat/stack's (packages/stack); this adds what a person at a terminal
// needs: a port check with advice, leftovers of a killed launcher cleared, and stack.json for the other tools.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { ensureDevKeyPair } from '@chat/service-kit';
import { ensureNatsCredentials, natsCredentialsFile, natsServerEnv, repoRoot, Stack } from '@chat/stack';

const dataDir = resolve(repoRoot, process.env.DATA_DIR ?? '.data');
const stackFile = join(dataDir, 'stack.json');
const natsConfigFile = join(repoRoot, 'deploy', 'nats-server.conf');
const host = process.env.HOST ?? '127.0.0.1';

function say(line) {
  console.log(`[stack] ${line}`);
}

function fail(line) {
  console.error(`[stack] ${line}`);
  process.exit(1);
}

/** Resolves with the error code when `port` cannot be listened on, undefined when it is free. */
function portProblem(port) {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', (err) => res(err.code ?? 'EADDRINUSE'));
    s.listen(port, host, () => s.close(() => res(undefined)));
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

/** nats-server's version line, or undefined when it is not on PATH. */
function natsServerVersion() {
  const found = spawnSync(process.env.NATS_SERVER_BIN ?? 'nats-server', ['--version'], { encoding: 'utf8' });
  return found.error ? undefined : found.stdout.trim();
}

/** Its own nats-server (locked as in deploy/nats-server.conf) unless NATS_URL names one; nats-server must be on PATH. */
function natsOptions() {
  if (process.env.NATS_URL) return { nats: { url: process.env.NATS_URL } };
  const credentials = ensureNatsCredentials(dataDir);
  return {
    nats: {
      configFile: natsConfigFile,
      env: natsServerEnv(credentials),
      monitor: true,
      logs: { file: join(dataDir, 'nats-server.log') },
      detached: true,
    },
    natsCredentials: credentials,
  };
}

/** stack.json: how createsuperuser, the nats CLI and the tests find this stack, and what a next start must clear. */
function writeStackFile(stack, nats) {
  const server = stack.natsServer;
  const children = [
    ...(server ? [{ name: 'nats-server', pid: server.pid }] : []),
    ...stack.services().map((service) => ({ name: service.service, pid: service.pid })),
  ];
  const record = {
    pid: process.pid,
    authDatabaseUrl: stack.authDatabaseUrl,
    natsUrl: stack.natsUrl,
    natsMonitorUrl: server?.monitorUrl,
    // Who may watch the bus (every subject, but not publish as a service): for the nats CLI and the tests.
    ...(nats.natsCredentials ? { natsOperator: { user: 'operator', password: nats.natsCredentials.operator } } : {}),
    children,
  };
  // It holds the operator's password, so it is as closed as the credentials file.
  writeFileSync(stackFile, JSON.stringify(record, null, 2), { mode: 0o600 });
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
const natsVersion = process.env.NATS_URL ? undefined : natsServerVersion();
if (!process.env.NATS_URL && !natsVersion)
  fail(
    'nats-server is not on PATH. Install it (Debian/Ubuntu: apt-get install nats-server; macOS: brew install nats-server;\n' +
      '        or download from https://github.com/nats-io/nats-server/releases), or set NATS_URL to a running server.',
  );

const keys = ensureDevKeyPair(dataDir);
const nats = natsOptions();
const stack = Stack.create({
  ...nats,
  database: process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { embeddedIn: dataDir },
  logs: 'inherit',
  env: { ...process.env, DATA_DIR: dataDir, JWT_PUBLIC_KEY_FILE: keys.publicKey },
  authEnv: { JWT_PRIVATE_KEY_FILE: keys.privateKey },
  gatewayPort,
  ...(process.env.AUTH_PORT ? { authPort: Number(process.env.AUTH_PORT) } : {}),
  ...(process.env.ROOMS_PORT ? { roomsPort: Number(process.env.ROOMS_PORT) } : {}),
  detached: true,
  ipc: true,
});

let stopping = false;
async function stop(code = 0, why = undefined) {
  if (stopping) return;
  stopping = true;
  if (why) say(`${why}: stopping the gateway (clients are told to reconnect)`);
  try {
    await stack.stop((stopped) =>
      say(stopped === 'embedded Postgres' ? 'embedded Postgres closed' : `${stopped} stopped`),
    );
  } catch (err) {
    console.error(`[stack] stopping: ${err.message}`);
  }
  rmSync(stackFile, { force: true });
  say('stopped');
  process.exit(code);
}
// SIGINT may come twice for one Ctrl-C (from the terminal, and forwarded by npm); stop() runs once.
process.on('SIGINT', () => stop(0, 'SIGINT'));
process.on('SIGTERM', () => stop(0, 'SIGTERM'));
process.on('SIGHUP', () => stop(0, 'SIGHUP'));

try {
  await stack.startAll();
} catch (err) {
  if (!stopping) {
    console.error(`[stack] ${err.message}`);
    await stop(1);
  }
}
if (!stopping) {
  writeStackFile(stack, nats);
  const server = stack.natsServer;
  if (server) {
    say(`${natsVersion} on ${server.url} (monitoring: ${server.monitorUrl}, log: ${join(dataDir, 'nats-server.log')})`);
    say(
      `NATS is locked (deploy/nats-server.conf, passwords in ${natsCredentialsFile(dataDir)}); watch it with: nats --server ${server.url} --user operator --password ${nats.natsCredentials.operator} sub '>'`,
    );
  }
  if (stack.databases.embedded) say(`embedded Postgres (PGlite) in ${join(dataDir, 'pglite')}`);
  // Any process that ends on its own takes the stack down with it: a half stack would only mislead.
  const exited = [...stack.services(), ...(server ? [{ label: 'nats-server', exited: server.exited }] : [])];
  Promise.race(exited.map(async (p) => ({ label: p.label, exit: await p.exited }))).then(({ label, exit }) => {
    if (stopping) return;
    console.error(`[stack] ${label} exited (${exit.signal ?? `code ${exit.code}`}); stopping the stack`);
    stop(1);
  });
  const localHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  say(`open http://${localHost}:${gatewayPort}  (make an admin with: npm run createsuperuser)`);
}
