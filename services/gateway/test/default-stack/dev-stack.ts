/**
 * `npm start` as a newcomer runs it, minus the build: scripts/dev-stack.mjs with nothing configured, so it starts
 * its own nats-server and the embedded Postgres in a data folder of the test's. It runs in a process group of
 * its own, as a terminal's foreground job does, so a test can press Ctrl-C (SIGINT to the whole group).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot, seedEmbeddedDatabase } from '@chat/test-kit';

/** What the launcher records in stack.json while it runs. */
export interface StackRecord {
  pid: number;
  natsUrl: string;
  natsMonitorUrl?: string;
  /** The user that may watch the bus with the nats CLI; only when the launcher runs its own nats-server. */
  natsOperator?: { user: string; password: string };
  children: { name: string; pid: number }[];
}

export interface DevStack {
  dataDir: string;
  port: number;
  base: string;
  child: ChildProcess;
  /** Everything the launcher and the services printed so far. */
  output(): string;
  /** Resolves with the launcher's exit code once it has exited. */
  exited: Promise<number | null>;
  /** The pids of the processes the launcher started, as it recorded them. */
  childPids(): { name: string; pid: number }[];
  /** stack.json as the launcher wrote it; undefined once it has removed it. */
  record(): StackRecord | undefined;
  /** Ctrl-C in the terminal: SIGINT to the launcher's whole process group. */
  interrupt(): void;
}

/** A data folder for a stack, with its embedded databases already initialised (as after a first start). */
export async function newDataDir(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-dev-stack-'));
  for (const name of ['auth', 'rooms']) {
    mkdirSync(join(dataDir, 'pglite'), { recursive: true });
    await seedEmbeddedDatabase(join(dataDir, 'pglite', name));
  }
  return dataDir;
}

/** Starts the launcher and resolves once it says "open" (or rejects with what it printed). */
export async function startDevStack(
  dataDir: string,
  options: { port?: number; env?: Record<string, string>; waitForOpen?: boolean } = {},
): Promise<DevStack> {
  const port = options.port ?? (await freePort());
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'dev-stack.mjs')], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A test that fails half-way must not leave a stack behind.
  const killOnExit = () => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {}
  };
  process.once('exit', killOnExit);
  exited.then(() => process.off('exit', killOnExit));

  const stack: DevStack = {
    dataDir,
    port,
    base: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    exited,
    childPids: () => stack.record()?.children ?? [],
    record() {
      const file = join(dataDir, 'stack.json');
      return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StackRecord) : undefined;
    },
    interrupt: () => process.kill(-(child.pid as number), 'SIGINT'),
  };
  if (options.waitForOpen === false) return stack;
  const deadline = Date.now() + 90_000;
  while (!output.includes('[stack] open ')) {
    if (child.exitCode !== null) throw new Error(`the stack exited (${child.exitCode}) before it was open:\n${output}`);
    if (Date.now() > deadline) {
      killOnExit();
      throw new Error(`the stack was not open within 90 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return stack;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `npm run createsuperuser` against the stack in `dataDir`, the password given as a script would. */
export function createSuperuser(dataDir: string, username: string, password: string) {
  return spawnSync(process.execPath, [join(repoRoot, 'scripts', 'createsuperuser.mjs'), '--username', username], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: dataDir,
      CHAT_SUPERUSER_PASSWORD: password,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
}
