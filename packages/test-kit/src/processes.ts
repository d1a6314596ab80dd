/**
 * The services as real child processes (`node services/<name>/dist/server.js`), for tests that kill and
 * restart them. Each process's output is kept so a failing test can show what the services said.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: this file is packages/test-kit/{src,dist}/processes.* */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** When it exited (Date.now()). */
  at: number;
}

export interface ServiceProcessOptions {
  /** The folder under services/: auth, rooms, gateway. */
  service: string;
  /** Names this process in logs and errors (e.g. rooms-2); defaults to the service. */
  label?: string;
  /** The whole environment of the process, added to PATH and HOME. PORT defaults to 0 (any free port). */
  env: Record<string, string>;
  /** How long to wait for "Server listening at"; default 20 s (machines running other jobs are slow). */
  startTimeoutMs?: number;
}

const MAX_LOG_CHARS = 512 * 1024;
const LISTENING = /"msg":"Server listening at (http:\/\/[^"]+)"/;

export class ServiceProcess {
  readonly label: string;
  private child: ChildProcess | undefined;
  private output = '';
  private exitPromise: Promise<ProcessExit> = Promise.resolve({ code: null, signal: null, at: 0 });
  private listeningPort = 0;

  private constructor(private readonly options: ServiceProcessOptions) {
    this.label = options.label ?? options.service;
  }

  /** Starts the service and resolves once it is listening. */
  static async start(options: ServiceProcessOptions): Promise<ServiceProcess> {
    const proc = new ServiceProcess(options);
    await proc.launch(options.env.PORT ?? '0');
    return proc;
  }

  get port(): number {
    return this.listeningPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.listeningPort}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves when the current run of the process has exited. */
  get exited(): Promise<ProcessExit> {
    return this.exitPromise;
  }

  /** Everything the process wrote to stdout and stderr, over all its runs (the last 512 KiB). */
  logs(): string {
    return this.output;
  }

  /** Log lines (pino JSON) that parse, for assertions on what a service said. */
  logRecords(): Record<string, unknown>[] {
    const records: Record<string, unknown>[] = [];
    for (const line of this.output.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A line cut by the log cap, or not pino's.
      }
    }
    return records;
  }

  /** Sends a signal and resolves with how the process ended. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ProcessExit> {
    if (this.running) this.child?.kill(signal);
    return this.exitPromise;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 12_000): Promise<ProcessExit> {
    if (!this.running) return this.exitPromise;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    try {
      return await this.exitPromise;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts the process again (killing it first if it still runs), on the port it had, with `env` added. */
  async restart(env: Record<string, string> = {}): Promise<void> {
    if (this.running) await this.kill('SIGKILL');
    Object.assign(this.options.env, env);
    await this.launch(String(this.listeningPort));
  }

  private launch(port: string): Promise<void> {
    const script = join(repoRoot, 'services', this.options.service, 'dist', 'server.js');
    if (!existsSync(script)) throw new Error(`${script} is missing; build first: npx turbo run build`);
    const env: Record<string, string> = { ...this.options.env, PORT: port };
    for (const name of ['PATH', 'HOME']) if (process.env[name] && !env[name]) env[name] = process.env[name];
    const child = spawn(process.execPath, [script], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.note(`--- ${this.label}: started, pid ${child.pid} ---\n`);
    // A test run that ends abruptly (a crash, a timeout) must not leave services behind.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        process.off('exit', killOnExit);
        this.note(`--- ${this.label}: exited, code ${code} signal ${signal} ---\n`);
        resolve({ code, signal, at: Date.now() });
      });
    });

    const startTimeoutMs = this.options.startTimeoutMs ?? 20_000;
    return new Promise((resolve, reject) => {
      let pending = '';
      let settled = false;
      const timer = setTimeout(() => {
        fail(`did not listen within ${startTimeoutMs} ms`);
        child.kill('SIGKILL');
      }, startTimeoutMs);
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new Error(`${this.label} ${why}; its output:\n${this.output}`));
      };
      const onStdout = (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          const match = LISTENING.exec(line);
          if (!match?.[1] || settled) continue;
          settled = true;
          clearTimeout(timer);
          child.stdout?.off('data', onStdout);
          this.listeningPort = Number(new URL(match[1]).port);
          resolve();
          return;
        }
      };
      child.stdout?.on('data', (chunk: Buffer) => this.note(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => this.note(chunk.toString()));
      child.stdout?.on('data', onStdout);
      child.once('error', (err) => fail(`could not be spawned (${err.message})`));
      this.exitPromise.then((exit) => fail(`exited before listening (code ${exit.code}, signal ${exit.signal})`));
    });
  }

  private note(text: string): void {
    this.output += text;
    if (this.output.length > MAX_LOG_CHARS) this.output = this.output.slice(-MAX_LOG_CHARS);
  }
}

export interface ProcessStackOptions {
  natsUrl: string;
  databaseUrl: string;
  keys: { privateKey: string; publicKey: string };
  /** How many rooms service instances (one NATS queue group); default 1. */
  rooms?: number;
  /** How many gateways; default 1. */
  gateways?: number;
  /** Added to every service's environment. */
  env?: Record<string, string>;
  authEnv?: Record<string, string>;
  roomsEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
}

/** auth, rooms ×N and gateway ×N as processes on one NATS and one database. */
export class ProcessStack {
  private constructor(
    private readonly options: ProcessStackOptions,
    readonly auth: ServiceProcess,
    readonly rooms: ServiceProcess[],
    readonly gateways: ServiceProcess[],
  ) {}

  static async start(options: ProcessStackOptions): Promise<ProcessStack> {
    const starting: Promise<ServiceProcess>[] = [];
    const start = (o: ServiceProcessOptions) => {
      const p = ServiceProcess.start(o);
      starting.push(p);
      return p;
    };
    try {
      // auth and the first rooms instance migrate different schemas, so they may start together; further
      // rooms instances wait for the first one's migration.
      const [auth, firstRooms] = await Promise.all([
        start({ service: 'auth', env: authEnv(options) }),
        start({ service: 'rooms', label: 'rooms-1', env: roomsEnv(options) }),
      ]);
      const more = Array.from({ length: (options.rooms ?? 1) - 1 }, (_, i) =>
        start({ service: 'rooms', label: `rooms-${i + 2}`, env: roomsEnv(options) }),
      );
      const gateways = Array.from({ length: options.gateways ?? 1 }, (_, i) =>
        start({ service: 'gateway', label: `gateway-${i + 1}`, env: gatewayEnv(options, auth.url, firstRooms.url) }),
      );
      const rooms = [firstRooms, ...(await Promise.all(more))];
      return new ProcessStack(options, auth, rooms, await Promise.all(gateways));
    } catch (err) {
      // Wait for the ones still starting too, so that none is left running.
      const outcomes = await Promise.allSettled(starting);
      await Promise.all(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.kill('SIGKILL') : null)));
      throw err;
    }
  }

  /** Starts one more rooms instance in the queue group. */
  async addRooms(): Promise<ServiceProcess> {
    const proc = await ServiceProcess.start({
      service: 'rooms',
      label: `rooms-${this.rooms.length + 1}`,
      env: roomsEnv(this.options),
    });
    this.rooms.push(proc);
    return proc;
  }

  /** Starts one more gateway. */
  async addGateway(): Promise<ServiceProcess> {
    const proc = await ServiceProcess.start({
      service: 'gateway',
      label: `gateway-${this.gateways.length + 1}`,
      env: gatewayEnv(this.options, this.auth.url, this.rooms[0]?.url ?? this.auth.url),
    });
    this.gateways.push(proc);
    return proc;
  }

  all(): ServiceProcess[] {
    return [this.auth, ...this.rooms, ...this.gateways];
  }

  /** Every process's output, labelled: what to print when a test fails. */
  logs(): string {
    return this.all()
      .map((p) => `===== ${p.label} =====\n${p.logs()}`)
      .join('\n');
  }

  /** Gateways first (their sockets' leave notices need the others), then the rest; SIGKILL after a grace. */
  async stop(): Promise<void> {
    await Promise.all(this.gateways.map((p) => p.stop()));
    await Promise.all([this.auth, ...this.rooms].map((p) => p.stop()));
  }
}

function commonEnv(options: ProcessStackOptions): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    NATS_URL: options.natsUrl,
    JWT_PUBLIC_KEY: options.keys.publicKey,
    ...options.env,
  };
}

function authEnv(options: ProcessStackOptions): Record<string, string> {
  return {
    ...commonEnv(options),
    DATABASE_URL: options.databaseUrl,
    JWT_PRIVATE_KEY: options.keys.privateKey,
    LOGINS_PER_ADDRESS: '1000',
    ...options.authEnv,
  };
}

function roomsEnv(options: ProcessStackOptions): Record<string, string> {
  return { ...commonEnv(options), DATABASE_URL: options.databaseUrl, ...options.roomsEnv };
}

function gatewayEnv(options: ProcessStackOptions, authUrl: string, roomsUrl: string): Record<string, string> {
  return { ...commonEnv(options), AUTH_URL: authUrl, ROOMS_URL: roomsUrl, ...options.gatewayEnv };
}
