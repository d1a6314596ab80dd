/**
 * `npm start` as a newcomer runs it, minus the build: scripts/dev-stack.mjs with nothing configured, so it starts
 * its own nats-server and the embedded Postgres in a data folder of the test's. It runs in a process group of
 * its own, as a terminal's foreground job does, so a test can press Ctrl-C (SIGINT to the whole group).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot, seedEmbeddedDatabase } from '@chat/test-kit';

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
    childPids() {
      const file = join(dataDir, 'stack.json');
      if (!existsSync(file)) return [];
      return (JSON.parse(readFileSync(file, 'utf8')) as { children: { name: string; pid: number }[] }).children;
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
