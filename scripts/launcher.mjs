// What the terminal launchers (`npm start`: dev-stack.mjs, `npm run cluster`: cluster.mjs) share around a
// @chat/stack Stack: a data folder that one launcher at a time may use (leftovers of a killed one cleared), port
// and nats-server checks with advice, the locked bus's credentials, stack.json for the other tools, and a stop in
// order on Ctrl-C, SIGTERM or SIGHUP.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ensureNatsCredentials, natsServerConfig, natsServerEnv } from '@chat/stack';

export function say(line) {
  console.log(`[stack] ${line}`);
}

export function fail(line) {
  console.error(`[stack] ${line}`);
  process.exit(1);
}

/** Resolves with the error code when `port` cannot be listened on, undefined when it is free. */
function portProblem(host, port) {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', (err) => res(err.code ?? 'EADDRINUSE'));
    s.listen(port, host, () => s.close(() => res(undefined)));
  });
}

/** PORT as a number that can be listened on, or an exit with advice (`command` is how the user started us). */
export async function checkedPort(host, command) {
  const port = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`PORT=${process.env.PORT} is not a port number; set PORT to a free port, e.g. PORT=8081 ${command}`);
  const problem = await portProblem(host, port);
  if (problem === 'EADDRINUSE')
    fail(
      `port ${port} on ${host} is already in use by another program; set PORT to a free port, e.g. PORT=8081 ${command}`,
    );
  if (problem) fail(`cannot listen on port ${port} on ${host} (${problem}); set PORT to another port`);
  return port;
}

/** nats-server's version line; exits with advice when it is not on PATH. */
export function requireNatsServer() {
  const found = spawnSync(process.env.NATS_SERVER_BIN ?? 'nats-server', ['--version'], { encoding: 'utf8' });
  if (!found.error) return found.stdout.trim();
  fail(
    'nats-server is not on PATH. Install it (Debian/Ubuntu: apt-get install nats-server; macOS: brew install nats-server;\n' +
      '        or download from https://github.com/nats-io/nats-server/releases), or set NATS_URL to a running server.',
  );
}

/** The bus locked as in deploy/nats-server.conf, with the data folder's passwords: for startNatsServer or startNatsCluster. */
export function lockedNats(dataDir) {
  const credentials = ensureNatsCredentials(dataDir);
  return { configFile: natsServerConfig, env: natsServerEnv(credentials), credentials };
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readCommandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** What a child's command line holds, so that a pid reused since by another program is left alone. */
function commandOf(name) {
  if (name === 'nats-server' || /^nats-\d+$/.test(name)) return 'nats-server';
  if (name === 'front') return 'nginx';
  return join('services', name.replace(/-\d+$/, ''));
}

/**
 * Makes the data folder this launcher's: refuses when another launcher runs with it, and stops the children of one
 * that was killed outright (SIGKILL), which are left running, before anything starts.
 */
export function claimDataDir(dataDir) {
  mkdirSync(dataDir, { recursive: true });
  const stackFile = join(dataDir, 'stack.json');
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
    if (!readCommandLine(pid).includes(commandOf(name))) continue;
    say(`stopping ${name} (pid ${pid}) left running by an earlier stack`);
    process.kill(pid, 'SIGKILL');
  }
  rmSync(stackFile, { force: true });
}

/**
 * stack.json: how createsuperuser, the nats CLI and the tests find this stack, and what a next start must clear.
 * `record` adds what this launcher has to say (its NATS URLs, the front's URL).
 */
export function writeStackFile(dataDir, stack, record, credentials) {
  const nodes = stack.natsCluster?.nodes ?? (stack.natsServer ? [stack.natsServer] : []);
  const children = [
    ...nodes.map((node, i) => ({ name: stack.natsCluster ? `nats-${i + 1}` : 'nats-server', pid: node.pid })),
    ...stack.services().map((service) => ({ name: service.label, pid: service.pid })),
    ...(record.frontUrl ? [{ name: 'front', pid: stack.front.process.pid }] : []),
  ];
  const file = {
    pid: process.pid,
    authDatabaseUrl: stack.authDatabaseUrl,
    natsUrl: stack.natsUrl,
    ...record,
    // Who may watch the bus (every subject, but not publish as a service): for the nats CLI and the tests.
    ...(credentials ? { natsOperator: { user: 'operator', password: credentials.operator } } : {}),
    children,
  };
  // It holds the operator's password, so it is as closed as the credentials file.
  writeFileSync(join(dataDir, 'stack.json'), JSON.stringify(file, null, 2), { mode: 0o600 });
}

/**
 * Starts the stack and stops it in order (the Stack's own) on SIGINT, SIGTERM or SIGHUP, removing stack.json.
 * Resolves once everything is up, with false when it is stopping instead. `onExit(label, exit)` hears of a
 * process that ends on its own while the stack runs.
 */
export async function runStack(stack, { dataDir, processes, onExit }) {
  let stopping = false;
  const stop = async (code = 0, why = undefined) => {
    if (stopping) return;
    stopping = true;
    if (why) say(`${why}: stopping the gateways (clients are told to reconnect)`);
    try {
      await stack.stop((stopped) =>
        say(stopped === 'embedded Postgres' ? 'embedded Postgres closed' : `${stopped} stopped`),
      );
    } catch (err) {
      console.error(`[stack] stopping: ${err.message}`);
    }
    rmSync(join(dataDir, 'stack.json'), { force: true });
    say('stopped');
    process.exit(code);
  };
  // SIGINT may come twice for one Ctrl-C (from the terminal, and forwarded by npm); stop() runs once.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(0, signal));
  try {
    await stack.startAll();
  } catch (err) {
    if (!stopping) {
      console.error(`[stack] ${err.message}`);
      await stop(1);
    }
  }
  if (stopping) return { started: false, stop };
  for (const p of processes())
    p.exited.then((exit) => {
      if (!stopping) onExit(p.label, exit, stop);
    });
  return { started: true, stop };
}

/** How an exit reads: the signal, or the code. */
export function exitWords(exit) {
  return exit.signal ?? `code ${exit.code}`;
}
