/**
 * The bench process's handle on its generator processes: forks them, deals clients and senders out
 * round-robin, and merges what they measured.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { now } from '../clock.js';
import { Histogram } from '../histogram.js';
import type {
  ClientSpec,
  Command,
  LoadResult,
  OpenResult,
  Progress,
  Request,
  Response,
  SenderSpec,
  StepStats,
} from './commands.js';

const workerFile = fileURLToPath(new URL('./worker.js', import.meta.url));

export interface OpenSummary {
  /** Clock time at which the workers began. */
  startAt: number;
  clients: number;
  opened: number;
  openFailed: number;
  joined: number;
  joinFailed: number;
  connect: Histogram;
  join: Histogram;
  lastJoinAt: number;
  errors: string[];
}

export interface StepSummary {
  sent: number;
  sentPerRoom: Map<string, number>;
  skipped: number;
  lagMs: number;
  delivered: number;
  acked: number;
  ackFailed: number;
  closed: number;
  latency: Histogram;
  ack: Histogram;
  elu: number[];
  errors: string[];
}

class Worker {
  private nextId = 0;
  private readonly calls = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(readonly child: ChildProcess) {
    child.on('message', (message: Response) => {
      const call = this.calls.get(message.id);
      if (!call) return;
      this.calls.delete(message.id);
      if (message.ok) call.resolve(message.result);
      else call.reject(new Error(`generator: ${message.error}`));
    });
    child.on('exit', (code, signal) => {
      for (const call of this.calls.values()) call.reject(new Error(`generator exited (${signal ?? code})`));
      this.calls.clear();
    });
  }

  call<T>(command: Command): Promise<T> {
    // A worker already gone (stopped, or killed by a Ctrl-C that reached the whole process group) answers
    // with a rejection; without the callback, send() would raise an 'error' event and crash the bench
    // before it stopped the stack it started.
    if (!this.child.connected) return Promise.reject(new Error('generator is not running'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...command, id } satisfies Request, (err) => {
        if (!err || !this.calls.delete(id)) return;
        reject(err);
      });
    });
  }
}

export class GeneratorPool {
  private readonly workers: Worker[];
  /** For each client handed out: which worker has it, and its index there. */
  private placement: { worker: number; index: number }[] = [];

  /** `profileDir`: run the generators under --cpu-prof, writing there. */
  constructor(size: number, profileDir?: string) {
    const execArgv = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    this.workers = Array.from(
      { length: size },
      () => new Worker(fork(workerFile, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })),
    );
  }

  /** The generator processes' ids (to pin them). */
  pids(): number[] {
    return this.workers.flatMap((w) => (w.child.pid === undefined ? [] : [w.child.pid]));
  }

  get size(): number {
    return this.workers.length;
  }

  /** Opens the clients (dealt round-robin) and joins their rooms; all workers start at the same moment. */
  async open(url: string, clients: ClientSpec[], concurrency: number, timeoutMs: number): Promise<OpenSummary> {
    const shares: ClientSpec[][] = this.workers.map(() => []);
    this.placement = clients.map((client, i) => {
      const worker = i % this.workers.length;
      shares[worker]!.push(client);
      return { worker, index: shares[worker]!.length - 1 };
    });
    // IPC is JSON, where Infinity becomes null: unlimited travels as a number no storm reaches.
    const perWorker = Number.isFinite(concurrency) ? Math.max(1, Math.ceil(concurrency / this.workers.length)) : 1e9;
    const startAt = now() + 100;
    const results = await Promise.all(
      this.workers.map((w, i) =>
        w.call<OpenResult>({ op: 'open', url, clients: shares[i]!, concurrency: perWorker, startAt, timeoutMs }),
      ),
    );
    return {
      startAt,
      clients: clients.length,
      opened: sum(results, (r) => r.opened),
      openFailed: sum(results, (r) => r.openFailed),
      joined: sum(results, (r) => r.joined),
      joinFailed: sum(results, (r) => r.joinFailed),
      connect: Histogram.from(...results.map((r) => r.connect)),
      join: Histogram.from(...results.map((r) => r.join)),
      lastJoinAt: Math.max(...results.map((r) => r.lastJoinAt)),
      errors: results.flatMap((r) => r.errors).slice(0, 10),
    };
  }

  /**
   * Runs one open-loop step: each sender (a client index with a room) sends `rate` messages a second for
   * `durationMs`; then waits until every expected delivery and ack is in, or `drainMs` passes.
   */
  async step(options: {
    step: number;
    senders: { client: number; room: string }[];
    rate: number;
    durationMs: number;
    drainMs: number;
    /** Deliveries each message should make (the room's member count). */
    fanout: (room: string) => number;
  }): Promise<StepSummary> {
    const { step, senders, rate, durationMs } = options;
    const byWorker: SenderSpec[][] = this.workers.map(() => []);
    senders.forEach((sender, i) => {
      const place = this.placement[sender.client];
      if (!place) throw new Error(`no client ${sender.client}`);
      byWorker[place.worker]!.push({ client: place.index, room: sender.room, phase: i / senders.length });
    });
    const startAt = now() + 50;
    const loads = await Promise.all(
      this.workers.map((w, i) =>
        w.call<LoadResult>({ op: 'load', step, senders: byWorker[i]!, rate, startAt, durationMs }),
      ),
    );
    const sentPerRoom = new Map<string, number>();
    for (const load of loads)
      for (const [room, n] of Object.entries(load.sent)) sentPerRoom.set(room, (sentPerRoom.get(room) ?? 0) + n);
    const sent = [...sentPerRoom.values()].reduce((a, b) => a + b, 0);
    let expected = 0;
    for (const [room, n] of sentPerRoom) expected += n * options.fanout(room);

    const deadline = now() + options.drainMs;
    while (now() < deadline) {
      const progress = await Promise.all(this.workers.map((w) => w.call<Progress>({ op: 'progress', step })));
      const delivered = sum(progress, (p) => p.delivered);
      const answered = sum(progress, (p) => p.acked + p.ackFailed);
      if (delivered >= expected && answered >= sent) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const stats = await Promise.all(this.workers.map((w) => w.call<StepStats>({ op: 'collect', step })));
    return {
      sent,
      sentPerRoom,
      skipped: sum(loads, (l) => l.skipped),
      lagMs: Math.max(...loads.map((l) => l.lagMs)),
      delivered: sum(stats, (s) => s.delivered),
      acked: sum(stats, (s) => s.acked),
      ackFailed: sum(stats, (s) => s.ackFailed),
      closed: sum(stats, (s) => s.closed),
      latency: Histogram.from(...stats.map((s) => s.latency)),
      ack: Histogram.from(...stats.map((s) => s.ack)),
      elu: stats.map((s) => s.elu),
      errors: stats.flatMap((s) => s.errors).slice(0, 3),
    };
  }

  /** Drops every client (terminate, no close handshake). */
  async closeClients(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call({ op: 'close' })));
    this.placement = [];
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
            w.child.once('exit', () => resolve());
            if (w.child.connected) w.child.disconnect();
          }),
      ),
    );
  }
}

function sum<T>(items: T[], f: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += f(item);
  return total;
}
