/** Starts a real nats-server (Debian's, from PATH) on a free port for one test run. */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, portAccepts } from './free-port.js';

export interface NatsServerHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Kills the server and starts it again on the same port (for fault tests). */
  restart(downMs?: number): Promise<void>;
  /** Makes the running server read its configuration file again (SIGHUP), as an operator's reload does. */
  reload(): void;
}

export interface NatsServerOptions {
  /** Path of a nats-server configuration file; its `port` is overridden. */
  configFile?: string;
  port?: number;
}

const bin = process.env.NATS_SERVER_BIN ?? 'nats-server';

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const port = options.port ?? (await freePort());
  let child = await launch(port, options.configFile);
  const handle: NatsServerHandle = {
    url: `nats://127.0.0.1:${port}`,
    port,
    async stop() {
      await terminate(child);
    },
    reload() {
      child.kill('SIGHUP');
    },
    async restart(downMs = 0) {
      await terminate(child);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      child = await launch(port, options.configFile);
    },
  };
  return handle;
}

async function launch(port: number, configFile?: string): Promise<ChildProcess> {
  const args = [...(configFile ? ['-c', configFile] : []), '-a', '127.0.0.1', '-p', String(port)];
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 10_000) stderr += chunk.toString();
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('error', (err) =>
      reject(new Error(`cannot start ${bin} (${err.message}); install it with: apt-get install nats-server`)),
    );
    child.once('spawn', resolve);
  });
  await spawned;
  await waitForPort(
    port,
    () => child.exitCode !== null,
    () => stderr,
  );
  return child;
}

async function waitForPort(port: number, exited: () => boolean, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`nats-server exited at start:\n${log()}`);
    if (await portAccepts(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nats-server did not listen on ${port} within 10 s:\n${log()}`);
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
