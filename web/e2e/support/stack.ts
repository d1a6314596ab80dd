/**
 * The real stack for browser tests, started from the repo's built services on a private nats-server, a fresh
 * Postgres database and a temporary data folder (so signing keys and stack.json belong to this run only).
 *
 * Two ways to start it: `startDevStack` runs `node scripts/dev-stack.mjs` exactly as `npm start` does;
 * `startServiceStack` starts auth, rooms and gateway as separate processes with the environment dev-stack
 * would give them, so a test can restart the gateway alone (dev-stack stops everything when one service exits).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDevKeyPair } from '@chat/service-kit';
import { createTestDatabase, freePort, startNatsServer } from '@chat/test-kit';
import { artifactsDir, repoRoot } from './paths';

/** Machines running other heavy jobs start Node processes slowly. */
const START_TIMEOUT_MS = 45_000;
const STOP_GRACE_MS = 10_000;

export interface Stack {
  /** http://127.0.0.1:PORT, one of the gateway's default allowed origins. */
  baseUrl: string;
  databaseUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface ServiceStack extends Stack {
  /** SIGTERM to the gateway (it closes every socket with 1012), then the same gateway again on the same port. */
  restartGateway(options?: { downMs?: number }): Promise<void>;
}

/** `npm start`, minus the build: scripts/dev-stack.mjs with NATS_URL, DATABASE_URL, PORT and DATA_DIR set. */
export async function startDevStack(name: string): Promise<Stack> {
  const infra = await startInfrastructure(name);
  try {
    const port = await freePort();
    const stack = new LoggedProcess(
      'dev-stack',
      process.execPath,
      [join(repoRoot, 'scripts', 'dev-stack.mjs')],
      {
        NATS_URL: infra.natsUrl,
        DATABASE_URL: infra.databaseUrl,
        PORT: String(port),
        DATA_DIR: infra.dataDir,
      },
      infra.log,
    );
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitUntilServing(baseUrl, [stack]);
    return {
      baseUrl,
      databaseUrl: infra.databaseUrl,
      dataDir: infra.dataDir,
      async stop() {
        await stack.stop();
        await infra.stop();
      },
    };
  } catch (error) {
    await infra.stop();
    throw error;
  }
}

/** auth, rooms and gateway as three processes, with the environment scripts/dev-stack.mjs gives them. */
export async function startServiceStack(name: string): Promise<ServiceStack> {
  const infra = await startInfrastructure(name);
  const started: LoggedProcess[] = [];
  try {
    const keys = ensureDevKeyPair(infra.dataDir);
    const [authPort, roomsPort, gatewayPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const common = {
      NATS_URL: infra.natsUrl,
      DATA_DIR: infra.dataDir,
      JWT_PUBLIC_KEY_FILE: keys.publicKey,
      DATABASE_POOL_MAX: '10',
    };
    const service = (label: string, env: Record<string, string>) => {
      const script = join(repoRoot, 'services', label, 'dist', 'server.js');
      const proc = new LoggedProcess(label, process.execPath, [script], env, infra.log);
      started.push(proc);
      return proc;
    };
    service('auth', {
      ...common,
      PORT: String(authPort),
      DATABASE_URL: infra.databaseUrl,
      JWT_PRIVATE_KEY_FILE: keys.privateKey,
    });
    service('rooms', { ...common, PORT: String(roomsPort), DATABASE_URL: infra.databaseUrl });
    const gatewayEnv = {
      ...common,
      PORT: String(gatewayPort),
      AUTH_URL: `http://127.0.0.1:${authPort}`,
      ROOMS_URL: `http://127.0.0.1:${roomsPort}`,
    };
    let gateway = service('gateway', gatewayEnv);
    const baseUrl = `http://127.0.0.1:${gatewayPort}`;
    await waitUntilServing(baseUrl, started);
    return {
      baseUrl,
      databaseUrl: infra.databaseUrl,
      dataDir: infra.dataDir,
      async restartGateway({ downMs = 0 } = {}) {
        await gateway.stop();
        if (downMs > 0) await sleep(downMs);
        gateway = service('gateway', gatewayEnv);
        await waitUntilServing(baseUrl, [gateway]);
      },
      async stop() {
        // The gateway first: its sockets' leave notices still have rooms and auth to talk to.
        await gateway.stop();
        await Promise.all(started.map((proc) => proc.stop()));
        await infra.stop();
      },
    };
  } catch (error) {
    await Promise.all(started.map((proc) => proc.stop()));
    await infra.stop();
    throw error;
  }
}

/** What a newcomer runs: `node scripts/createsuperuser.mjs --username NAME --password PASS`. */
export async function createSuperuser(stack: Stack, username: string, password: string): Promise<void> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'scripts', 'createsuperuser.mjs'), '--username', username, '--password', password],
    { cwd: repoRoot, env: { ...process.env, DATABASE_URL: stack.databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0 || !output.includes(`Superuser ${username} created.`)) {
    throw new Error(`createsuperuser failed (exit ${code}):\n${output}`);
  }
}

interface Infrastructure {
  natsUrl: string;
  databaseUrl: string;
  dataDir: string;
  /** Every process's output, prefixed with its name, in web/test-artifacts/<name>.log. */
  log: WriteStream;
  stop(): Promise<void>;
}

async function startInfrastructure(name: string): Promise<Infrastructure> {
  for (const service of ['auth', 'rooms', 'gateway']) {
    const script = join(repoRoot, 'services', service, 'dist', 'server.js');
    if (!existsSync(script)) throw new Error(`${script} is missing; build first: npx turbo run build`);
  }
  if (!existsSync(join(repoRoot, 'web', 'dist', 'index.html'))) {
    throw new Error('web/dist is missing; build first: npx turbo run build');
  }
  mkdirSync(artifactsDir, { recursive: true });
  const log = createWriteStream(join(artifactsDir, `${name}.log`));
  const dataDir = mkdtempSync(join(tmpdir(), `chat-e2e-${name}-`));
  const nats = await startNatsServer();
  const database = await createTestDatabase('chat_e2e').catch(async (error: unknown) => {
    await nats.stop();
    throw error;
  });
  return {
    natsUrl: nats.url,
    databaseUrl: database.url,
    dataDir,
    log,
    async stop() {
      await nats.stop();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
      await new Promise<void>((resolve) => log.end(resolve));
    },
  };
}

/** A child process whose output goes to the run's log file. */
class LoggedProcess {
  private readonly child: ChildProcess;
  private readonly exit: Promise<void>;

  constructor(
    readonly label: string,
    command: string,
    args: string[],
    env: Record<string, string>,
    log: WriteStream,
  ) {
    this.child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = (chunk: Buffer) =>
      chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((line) => `[${label}] ${line}\n`)
        .join('');
    this.child.stdout?.on('data', (chunk: Buffer) => log.write(prefix(chunk)));
    this.child.stderr?.on('data', (chunk: Buffer) => log.write(prefix(chunk)));
    this.exit = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        log.write(`[${label}] exited (${signal ?? code})\n`);
        resolve();
      }),
    );
    // A crashed test run must not leave services behind.
    process.once('exit', () => this.child.kill('SIGTERM'));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exit;
    clearTimeout(timer);
  }
}

/**
 * Ready means the browser's whole path works: the gateway serves the client, and it reaches auth and rooms
 * (both answer an anonymous request with 401, where an unreachable service would give 5xx).
 */
async function waitUntilServing(baseUrl: string, processes: LoggedProcess[]): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const checks: [string, number][] = [
    ['/', 200],
    ['/api/auth/me', 401],
    ['/api/rooms', 401],
  ];
  while (Date.now() < deadline) {
    const dead = processes.find((proc) => !proc.running);
    if (dead) throw new Error(`${dead.label} exited while starting; see web/test-artifacts/*.log`);
    const statuses = await Promise.all(
      checks.map(([path]) =>
        fetch(baseUrl + path, { signal: AbortSignal.timeout(2_000) }).then(
          (response) => response.status,
          () => 0,
        ),
      ),
    );
    if (statuses.every((status, i) => status === checks[i]?.[1])) return;
    await sleep(100);
  }
  throw new Error(`the stack at ${baseUrl} was not ready within ${START_TIMEOUT_MS} ms; see web/test-artifacts/*.log`);
}
