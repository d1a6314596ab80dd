/** nats-server (from PATH, or NATS_SERVER_BIN) on a free port of 127.0.0.1. */
import { freePort, portAccepts } from './ports.js';
import { type LogTarget, type ProcessExit, StackProcess } from './stack-process.js';

export interface NatsServerOptions {
  /** A configuration file (e.g. deploy/nats-server.conf); the flags override its address and ports. */
  configFile?: string;
  /** Variables the configuration file reads (e.g. the users' passwords); added to the launcher's environment. */
  env?: Record<string, string>;
  /** Defaults to a free port. */
  port?: number;
  /** Serve the monitoring endpoint (/varz, /connz, /subsz) on a free port, to look inside without the nats CLI. */
  monitor?: boolean;
  /** Defaults to memory (shown when the server fails to start). */
  logs?: LogTarget;
  detached?: boolean;
  /** How the process is called in logs and errors (default nats-server; a cluster's nodes are nats-1, nats-2 …). */
  label?: string;
  /** More flags for nats-server, after the address and ports (a cluster node's name and routes). */
  extraArgs?: string[];
}

export interface NatsServer {
  url: string;
  port: number;
  monitorUrl: string | undefined;
  pid: number | undefined;
  running: boolean;
  exited: Promise<ProcessExit>;
  /** SIGTERM (clients see the connection close), then SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** Kills the server, as a crash would, and starts it again on the same port after `downMs`. */
  restart(downMs?: number): Promise<void>;
  /** Makes the running server read its configuration file again (SIGHUP), as an operator's reload does. */
  reload(): void;
}

const bin = process.env.NATS_SERVER_BIN ?? 'nats-server';
const START_TIMEOUT_MS = 10_000;

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const monitorPort = options.monitor ? await freePort() : undefined;
  const args = [
    ...(options.configFile ? ['-c', options.configFile] : []),
    ...['-a', '127.0.0.1', '-p', String(port)],
    ...(monitorPort ? ['-m', String(monitorPort)] : []),
    ...(options.extraArgs ?? []),
  ];
  const child = await StackProcess.spawn({
    label: options.label ?? 'nats-server',
    command: bin,
    args,
    env: { ...(process.env as Record<string, string>), ...options.env },
    logs: options.logs ?? 'memory',
    detached: options.detached ?? false,
  }).catch((err: Error) => {
    throw new Error(`${err.message}; install nats-server (apt-get install nats-server) or set NATS_SERVER_BIN`);
  });
  const listening = () => child.waitUntil('listening', () => portAccepts(port), START_TIMEOUT_MS);
  await listening();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorUrl: monitorPort ? `http://127.0.0.1:${monitorPort}` : undefined,
    get pid() {
      return child.pid;
    },
    get running() {
      return child.running;
    },
    get exited() {
      return child.exited;
    },
    async stop() {
      await child.stop();
    },
    async restart(downMs = 0) {
      await child.kill('SIGKILL');
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await child.relaunch();
      await listening();
    },
    reload() {
      child.kill('SIGHUP');
    },
  };
}
