/** A service (auth, rooms, gateway) as a child process from its built dist/server.js, on a port of its own. */
import { type ServiceName, serviceScript } from './paths.js';
import { freePort } from './ports.js';
import { type LogTarget, type ProcessExit, StackProcess } from './stack-process.js';

export interface ServiceProcessOptions {
  service: ServiceName;
  /** Names this process in logs and errors (e.g. rooms-2); defaults to the service. */
  label?: string;
  /** The process's whole environment but PORT; PATH and HOME are added from the launcher's when missing. */
  env: Record<string, string>;
  /** Defaults to a free port. */
  port?: number;
  logs: LogTarget;
  /** Machines running other jobs start Node slowly; default 45 s. */
  startTimeoutMs?: number;
  /** Extra arguments to node before the script (e.g. --cpu-prof for the bench). */
  nodeArgs?: string[];
  detached?: boolean;
  ipc?: boolean;
}

export class ServiceProcess {
  private constructor(
    private readonly options: ServiceProcessOptions,
    private readonly child: StackProcess,
    readonly port: number,
  ) {}

  /** Starts the service and resolves once GET /readyz answers 200 (its database and NATS are usable). */
  static async start(options: ServiceProcessOptions): Promise<ServiceProcess> {
    const port = options.port ?? (await freePort());
    const env: Record<string, string> = { ...options.env, PORT: String(port) };
    for (const name of ['PATH', 'HOME']) if (process.env[name] && !env[name]) env[name] = process.env[name];
    const child = await StackProcess.spawn({
      label: options.label ?? options.service,
      command: process.execPath,
      args: [...(options.nodeArgs ?? []), serviceScript(options.service)],
      env,
      logs: options.logs,
      detached: options.detached ?? false,
      ipc: options.ipc ?? false,
    });
    const service = new ServiceProcess(options, child, port);
    try {
      await service.untilStarted();
    } catch (err) {
      await child.kill('SIGKILL');
      throw err;
    }
    return service;
  }

  get service(): ServiceName {
    return this.options.service;
  }

  get label(): string {
    return this.child.label;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.running;
  }

  /** Resolves when the current run of the process has exited. */
  get exited(): Promise<ProcessExit> {
    return this.child.exited;
  }

  /** Everything the process wrote over all its runs (the last 512 KiB), when its logs go to memory. */
  logs(): string {
    return this.child.logs();
  }

  /** Log lines (pino JSON) that parse, for assertions on what a service said. */
  logRecords(): Record<string, unknown>[] {
    const records: Record<string, unknown>[] = [];
    for (const line of this.logs().split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A line cut by the log cap, or not pino's.
      }
    }
    return records;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ProcessExit> {
    return this.child.kill(signal);
  }

  /** SIGTERM (the service closes what it holds, in order), then SIGKILL if it is still running after `graceMs`. */
  stop(graceMs?: number): Promise<ProcessExit> {
    return this.child.stop(graceMs);
  }

  /** Starts the service again on the port it had (killing it first if it still runs), with `env` added. */
  async restart(env: Record<string, string> = {}): Promise<void> {
    await this.child.relaunch(env);
    await this.untilStarted();
  }

  private untilStarted(): Promise<void> {
    const { startTimeoutMs = 45_000 } = this.options;
    // Someone watching a terminal is told, now and then, which part the service is still waiting for.
    const report = this.options.logs === 'inherit' ? progressReporter(this.label) : undefined;
    return this.child.waitUntil(
      'ready',
      async () => {
        const answer = await askReady(`${this.url}/readyz`);
        report?.(answer);
        return answer.ok;
      },
      startTimeoutMs,
    );
  }
}

interface ReadyAnswer {
  ok: boolean;
  /** What is not ready yet, as the service names it, or why there was no answer. */
  missing: string;
}

async function askReady(url: string): Promise<ReadyAnswer> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2500) });
    const body = (await res.json().catch(() => undefined)) as
      | { checks?: Record<string, { ok: boolean; error?: string }> }
      | undefined;
    const failing = Object.entries(body?.checks ?? {})
      .filter(([, check]) => !check.ok)
      .map(([part, check]) => `${part}: ${check.error}`);
    return { ok: res.ok, missing: failing.join('; ') || `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, missing: ((err as Error).cause as { code?: string })?.code ?? (err as Error).name };
  }
}

function progressReporter(label: string): (answer: ReadyAnswer) => void {
  const started = Date.now();
  let reported = started;
  return (answer) => {
    if (answer.ok || Date.now() - reported < 10_000) return;
    reported = Date.now();
    const seconds = Math.round((reported - started) / 1000);
    console.log(`[stack] ${label} still starting after ${seconds} s (${answer.missing})`);
  };
}
