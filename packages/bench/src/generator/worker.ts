/**
 * A load generator process: opens its share of the clients, sends on a wall-clock schedule without waiting
 * for anything (open loop), and records the latency of every tagged message and reply it receives.
 * Started by pool.ts with child_process.fork; speaks only over IPC.
 */
import { performance } from 'node:perf_hooks';
import { now } from '../clock.js';
import { Histogram } from '../histogram.js';
import type {
  Command,
  LoadCommand,
  LoadResult,
  OpenCommand,
  OpenResult,
  Progress,
  Request,
  Response,
  StepStats,
} from './commands.js';
import { LeanSocket, ReadyState } from './lean-socket.js';
import { joinFrame, Kind, scan, scanned, sendFrame } from './wire.js';

class Step {
  delivered = 0;
  acked = 0;
  ackFailed = 0;
  readonly latency = new Histogram();
  readonly ack = new Histogram();
  elu = performance.eventLoopUtilization();
  readonly errors: string[] = [];
}

const sockets: LeanSocket[] = [];
const steps = new Map<number, Step>();
let lastStepId = -1;
let lastStep: Step | undefined;
let closing = false;
let unexpectedCloses = 0;

/** Sockets a worker starts per turn of its event loop. */
const OPEN_BURST = 25;
const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const joins = { ok: 0, failed: 0, lastAt: 0, latency: new Histogram() };
let otherErrors = 0;

function stepOf(id: number): Step {
  if (id === lastStepId && lastStep) return lastStep;
  let step = steps.get(id);
  if (!step) {
    step = new Step();
    steps.set(id, step);
  }
  lastStepId = id;
  lastStep = step;
  return step;
}

/** The one message listener of every socket: no per-socket closure, no JSON.parse. */
function onFrame(buf: Buffer): void {
  const kind = scan(buf);
  if (kind === Kind.Other) return;
  const t = now();
  switch (kind) {
    case Kind.Message: {
      const step = stepOf(scanned.step);
      step.delivered++;
      step.latency.record(t - scanned.sentAt);
      return;
    }
    case Kind.SendOk: {
      const step = stepOf(scanned.step);
      step.acked++;
      step.ack.record(t - scanned.sentAt);
      return;
    }
    case Kind.SendFailed: {
      const step = stepOf(scanned.step);
      if (step.ackFailed++ < 3) step.errors.push(`send refused: ${buf.toString('utf8', 0, 300)}`);
      return;
    }
    case Kind.JoinOk:
      joins.ok++;
      joins.lastAt = t;
      joins.latency.record(t - scanned.sentAt);
      return;
    case Kind.JoinFailed:
      joins.failed++;
      joins.lastAt = t;
      if (joins.failed <= 3) errors.push(`join refused: ${buf.toString('utf8', 0, 300)}`);
      return;
    default:
      if (otherErrors++ < 3) noteError(`error reply: ${buf.toString('utf8', 0, 300)}`);
  }
}

function onClose(): void {
  if (!closing) unexpectedCloses++;
}

const errors: string[] = [];
function noteError(message: string): void {
  if (errors.length < 5) errors.push(message);
}

async function open(cmd: OpenCommand): Promise<OpenResult> {
  const connect = new Histogram();
  const joinsBefore = { ok: joins.ok, failed: joins.failed };
  joins.latency = new Histogram();
  let opened = 0;
  let openFailed = 0;
  let started = 0;
  const total = cmd.clients.length;
  const roomsPer = Math.max(1, ...cmd.clients.map((c) => c.rooms.length));
  const expectedJoins = cmd.clients.reduce((n, c) => n + c.rooms.length, 0);
  const first = sockets.length;
  const joinsDone = () => joins.ok + joins.failed - joinsBefore.ok - joinsBefore.failed;

  await waitUntil(cmd.startAt);
  const deadline = now() + cmd.timeoutMs;

  const urls = new Map<string, URL>();
  const urlOf = (href: string) => urls.get(href) ?? urls.set(href, new URL(href)).get(href)!;
  const startOne = (i: number) => {
    const spec = cmd.clients[i]!;
    const begun = now();
    let isOpen = false;
    const ws: LeanSocket = new LeanSocket(
      urlOf(spec.url ?? cmd.url),
      { Authorization: `Bearer ${spec.token}` },
      {
        message: onFrame,
        open() {
          isOpen = true;
          opened++;
          const t = now();
          connect.record(t - begun);
          ws.sendAll(spec.rooms.map((room) => joinFrame(room, t)));
        },
        close(reason) {
          if (!isOpen) {
            openFailed++;
            noteError(`socket ${i}: ${reason ?? 'closed before open'}`);
          } else onClose();
        },
      },
    );
    sockets[first + i] = ws;
  };

  // Pacing: at most `concurrency` clients between "connecting" and "all its rooms joined". Even "all at once"
  // starts them OPEN_BURST per turn of the event loop: creating a socket is synchronous work, and a worker
  // that spent a whole turn creating a thousand would read its first replies late and report the delay as
  // the server's.
  while (true) {
    const finished = Math.floor(joinsDone() / roomsPer) + openFailed;
    let burst = 0;
    while (started < total && started - finished < cmd.concurrency && burst++ < OPEN_BURST) startOne(started++);
    const done = started === total && joinsDone() + openFailed * roomsPer >= expectedJoins;
    if (done || now() > deadline) break;
    if (burst > OPEN_BURST) await yieldTurn();
    else await sleepMs(started < total ? 1 : 5);
  }
  return {
    opened,
    openFailed,
    joined: joins.ok - joinsBefore.ok,
    joinFailed: joins.failed - joinsBefore.failed,
    connect: connect.toJSON(),
    join: joins.latency.toJSON(),
    lastJoinAt: joins.lastAt,
    errors: errors.splice(0),
  };
}

async function load(cmd: LoadCommand): Promise<LoadResult> {
  stepOf(cmd.step).elu = performance.eventLoopUtilization();
  const period = 1000 / cmd.rate;
  const end = cmd.startAt + cmd.durationMs;
  const senders = cmd.senders.map((s) => ({
    ws: sockets[s.client],
    room: s.room,
    next: cmd.startAt + s.phase * period,
  }));
  const sent: Record<string, number> = {};
  for (const s of senders) sent[s.room] = 0;
  let skipped = 0;
  let lagMs = 0;
  await new Promise<void>((resolve) => {
    // One timer for all senders; each tick sends whatever is due by the schedule.
    const timer = setInterval(() => {
      const t = now();
      let pending = false;
      for (const s of senders) {
        while (s.next <= t && s.next < end) {
          if (s.ws && s.ws.readyState === ReadyState.Open) {
            s.ws.send(sendFrame(s.room, cmd.step, s.next));
            sent[s.room]!++;
          } else skipped++;
          lagMs = t - s.next;
          s.next += period;
        }
        if (s.next < end) pending = true;
      }
      if (!pending) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  return { sent, skipped, lagMs: Math.round(lagMs * 100) / 100 };
}

function progress(stepId: number): Progress {
  const step = stepOf(stepId);
  return { delivered: step.delivered, acked: step.acked, ackFailed: step.ackFailed, closed: unexpectedCloses };
}

function collect(stepId: number): StepStats {
  const step = stepOf(stepId);
  steps.delete(stepId);
  lastStep = undefined;
  lastStepId = -1;
  return {
    delivered: step.delivered,
    acked: step.acked,
    ackFailed: step.ackFailed,
    closed: unexpectedCloses,
    latency: step.latency.toJSON(),
    ack: step.ack.toJSON(),
    elu: Math.round(performance.eventLoopUtilization(step.elu).utilization * 1000) / 1000,
    errors: step.errors,
  };
}

async function closeAll(): Promise<{ unexpectedCloses: number; otherErrors: number }> {
  closing = true;
  for (const ws of sockets) ws.terminate();
  // A terminated socket reports its close on a later turn; let those land while `closing` is still set.
  const until = now() + 5000;
  while (sockets.some((ws) => ws.readyState !== ReadyState.Closed) && now() < until) await sleepMs(5);
  const result = { unexpectedCloses, otherErrors };
  sockets.length = 0;
  closing = false;
  unexpectedCloses = 0;
  otherErrors = 0;
  return result;
}

function run(cmd: Command): unknown {
  switch (cmd.op) {
    case 'open':
      return open(cmd);
    case 'load':
      return load(cmd);
    case 'progress':
      return progress(cmd.step);
    case 'collect':
      return collect(cmd.step);
    case 'close':
      return closeAll();
  }
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil(at: number): Promise<void> {
  const wait = at - now();
  if (wait > 0) await sleepMs(wait);
}

process.on('message', (message: Request) => {
  Promise.resolve()
    .then(() => run(message))
    .then(
      (result) => process.send?.({ id: message.id, ok: true, result } satisfies Response),
      (err: unknown) =>
        process.send?.({
          id: message.id,
          ok: false,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        }),
    );
});
process.on('disconnect', () => process.exit(0));
