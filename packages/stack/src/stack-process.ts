/** One child process of a stack: spawned with its logs where the caller wants them, stopped gracefully or killed. */
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Where a process's output goes: the launcher's own terminal, memory (for a test to print or assert on when it
 * fails), or a file appended to.
 */
export type LogTarget = 'inherit' | 'memory' | { file: string };

export interface StackProcessOptions {
  /** Names the process in logs and errors (e.g. rooms-2). */
  label: string;
  command: string;
  args: string[];
  /** The process's whole environment: nothing of the launcher's is passed unless the caller adds it. */
  env: Record<string, string>;
  logs: LogTarget;
  /** A process group of its own, so that a Ctrl-C in the terminal reaches the launcher only, which stops in order. */
  detached?: boolean;
  /** An IPC channel lets a Node child notice its launcher going away, however it went. */
  ipc?: boolean;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** When it exited (Date.now()). */
  at: number;
}

/** How long a process may take to stop after SIGTERM before it is killed. */
export const STOP_GRACE_MS = 15_000;
const MAX_LOG_CHARS = 512 * 1024;

/** Every child still running: a launcher or test run that ends abruptly (a crash, a timeout) leaves none behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class StackProcess {
  readonly label: string;
  private child: ChildProcess | undefined;
  private output = '';
  private exitPromise: Promise<ProcessExit> = Promise.resolve({ code: null, signal: null, at: 0 });

  /** Spawns the process; resolves once it runs, rejects when it cannot be spawned (e.g. not on PATH). */
  static async spawn(options: StackProcessOptions): Promise<StackProcess> {
    const proc = new StackProcess(options);
    await proc.launch();
    return proc;
  }

  private constructor(private readonly options: StackProcessOptions) {
    this.label = options.label;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && live.has(this.child);
  }

  /** Resolves when the current run of the process has exited. */
  get exited(): Promise<ProcessExit> {
    return this.exitPromise;
  }

  /** What the process wrote over all its runs (the last 512 KiB) when its logs go to memory; '' otherwise. */
  logs(): string {
    return this.output;
  }

  /** The end of the process's output, wherever it went: for an error saying why it did not start. */
  tail(chars = 4000): string {
    const { logs } = this.options;
    if (logs === 'memory') return this.output.slice(-chars);
    if (logs === 'inherit') return '(its output is above)';
    try {
      return readFileSync(logs.file, 'utf8').slice(-chars);
    } catch {
      return `(no log in ${logs.file})`;
    }
  }

  /** Sends a signal and resolves with how the process ended. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ProcessExit> {
    if (this.running) this.child?.kill(signal);
    return this.exitPromise;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = STOP_GRACE_MS): Promise<ProcessExit> {
    if (!this.running) return this.exitPromise;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (this.options.logs === 'inherit')
        console.error(`[stack] ${this.label} did not stop within ${graceMs} ms; killing it`);
      this.child?.kill('SIGKILL');
    }, graceMs);
    try {
      return await this.exitPromise;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process if it still runs and starts it again, with `env` added to its environment. */
  async relaunch(env: Record<string, string> = {}): Promise<void> {
    if (this.running) await this.kill('SIGKILL');
    Object.assign(this.options.env, env);
    await this.launch();
  }

  /** Polls `check` until it holds; fails when the process exits first or `timeoutMs` passes. */
  async waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.label} exited before it was ${what}; its output:\n${this.tail()}`);
      if (await check()) return;
      await sleep(50);
    }
    throw new Error(`${this.label} was not ${what} within ${timeoutMs} ms; its output:\n${this.tail()}`);
  }

  private async launch(): Promise<void> {
    const { command, args, env, logs, detached = false, ipc = false } = this.options;
    const file = typeof logs === 'object' ? openSync(logs.file, 'a') : undefined;
    const out = file ?? (logs === 'inherit' ? 'inherit' : 'pipe');
    const stdio: StdioOptions = ['ignore', out, out, ...(ipc ? (['ipc'] as const) : [])];
    const child = spawn(command, args, { env, stdio, detached });
    if (file !== undefined) closeSync(file);
    this.child = child;
    this.note(`--- ${this.label}: started, pid ${child.pid} ---\n`);
    child.stdout?.on('data', (chunk: Buffer) => this.note(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.note(chunk.toString()));
    live.add(child);
    // 'close' rather than 'exit': by then everything it wrote has been read, so an error can show it.
    this.exitPromise = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        live.delete(child);
        this.note(`--- ${this.label}: exited, code ${code} signal ${signal} ---\n`);
        resolve({ code, signal, at: Date.now() });
      });
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => {
        live.delete(child);
        reject(new Error(`${this.label} could not be started (${command}: ${err.message})`));
      });
    });
  }

  private note(text: string): void {
    if (this.options.logs !== 'memory') return;
    this.output += text;
    if (this.output.length > MAX_LOG_CHARS) this.output = this.output.slice(-MAX_LOG_CHARS);
  }
}
