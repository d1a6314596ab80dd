/**
 * Admission of new sockets while the gateway is busy. When a crowd connects at once (every client of a
 * restarted gateway, a class opening the app at nine), each handshake costs a token check and a user lookup,
 * and each new socket joins its rooms straight away. Let in all at once, thousands of handshakes stand in
 * the event loop ahead of the joins of clients already in, and every join waits seconds.
 *
 * So handshakes take turns: none start while the joins of sockets already in that are under way reach the
 * current limit, only one at a time while the event loop is saturated, and otherwise one handshake is
 * checked at a time per four joins the limit allows (at most `concurrent`). One at a time on a saturated
 * loop, not none: a flood keeps the loop busy even when it is refused at the door, and a door that shut
 * on a busy loop would shut everyone out for as long as the flood lasted (measured: a 6000-handshake flood
 * of forged tokens took another user's connect from 15 ms to 48 ms median that way, and to 11 ms with
 * one turn at a time). The newcomers before settle in first; the rest wait at the door in
 * arrival order. Joins are the measure because they are what a crowd brings (a handful per new socket) and
 * are rare otherwise; sends are not, or a gateway busy with talk would keep its doors shut.
 *
 * The limit adapts to how long joins take here (additive increase, multiplicative decrease, as TCP does
 * with its window): while joins finish within `targetMs` it grows by about one per round, and a join that
 * takes longer cuts it by a quarter (at most once per `targetMs`). A big machine thus lets a storm in as fast
 * as it can serve it, a small one as fast as it can without making everyone's joins slow.
 *
 * Turns are fair between clients: each client address (admit-upgrades.ts says what counts as one) waits in
 * its own queue, and the queues are served round-robin, one newcomer each (fair queuing). A flood from one
 * address therefore waits behind itself: a newcomer from anywhere else is let in after at most one turn of
 * each address waiting before it, however many handshakes the flood has queued.
 *
 * A newcomer that would wait beyond `maxWaiting` others in all, beyond `maxWaitingPerKey` from its own
 * address, or longer than `maxWaitMs`, is turned away with UNAVAILABLE (HTTP 503 with Retry-After) and comes
 * back later, as clients do after any failed connect. 503 rather than 429 even for the per-address bound:
 * many honest clients can share an address (an office behind NAT after a gateway restart), and what they
 * should do is the same as after any busy door, retry shortly.
 */
import { ChatError, ErrorCode } from '@chat/protocol';

export interface AdmissionOptions {
  /** Handshakes checked at the same time. */
  concurrent: number;
  /** Most joins under way while newcomers are still let in (the adaptive limit's ceiling). */
  maxJoins: number;
  /** How long a join may take here before the limit is cut. */
  targetMs: number;
  /** Newcomers waiting in all. */
  maxWaiting: number;
  /** Newcomers waiting from one client address (one queue). */
  maxWaitingPerKey: number;
  maxWaitMs: number;
  /** Whether this process's event loop is too busy to take on newcomers now (default: eventLoopBusy). */
  loopBusy?: () => boolean;
  /** Milliseconds on a monotonic clock; tests pass their own. */
  now?: () => number;
}

/** What the admission watches: the joins of sockets already in, while they are under way. */
export interface JoinLoad {
  /** Returns the start, to give back to joinFinished. */
  joinStarted(): number;
  joinFinished(startedAt: number): void;
}

interface Waiter {
  admit(): void;
  refuse(): void;
}

/** Why a newcomer was turned away before its turn (client_left: it gave up waiting). */
export type AdmissionRefusal = 'queue_full' | 'address_queue_full' | 'queue_timeout' | 'shutdown' | 'client_left';

export class Admission implements JoinLoad {
  /** Newcomers turned away so far, by why (metrics.ts reads them). */
  readonly refusals: Record<AdmissionRefusal, number> = {
    queue_full: 0,
    address_queue_full: 0,
    queue_timeout: 0,
    shutdown: 0,
    client_left: 0,
  };
  private checking = 0;
  private joinsUnderWay = 0;
  /**
   * One queue per client address, each in arrival order (a Set iterates in insertion order; a waiter that
   * gives up is simply deleted). The Map's own order is the round: the queue at its front is served next,
   * then goes to the back if anyone is left in it.
   */
  private readonly queues = new Map<string, Set<Waiter>>();
  private waitingCount = 0;
  /** Joins under way beyond which newcomers wait; adapts between 1 and maxJoins. */
  private joinLimit: number;
  private lastCut = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;
  private readonly loopBusy: () => boolean;
  /** Looks again for a turn while newcomers wait on a busy event loop (nothing else would wake them). */
  private recheck: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: AdmissionOptions) {
    this.now = options.now ?? (() => performance.now());
    this.loopBusy = options.loopBusy ?? eventLoopBusy();
    this.joinLimit = Math.min(options.maxJoins, INITIAL_JOIN_LIMIT);
  }

  /**
   * Resolves when this handshake, from the client `key` (its address), may be checked; call `release` when
   * the check is over, however it ends. `gone` is the newcomer leaving (its socket closed): if it is still
   * waiting, its place in the queue is freed at once, so clients that gave up neither count against the
   * queue's limits nor take a turn.
   */
  enter(key: string, gone?: AbortSignal): Promise<void> {
    if (this.waitingCount === 0 && this.mayAdmit()) {
      this.checking++;
      return Promise.resolve();
    }
    if (this.waitingCount >= this.options.maxWaiting) {
      this.refusals.queue_full++;
      return Promise.reject(tooBusy());
    }
    const queue = this.queues.get(key) ?? new Set<Waiter>();
    if (queue.size >= this.options.maxWaitingPerKey) {
      this.refusals.address_queue_full++;
      return Promise.reject(tooManyFromOneAddress());
    }
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        gone?.removeEventListener('abort', leave);
      };
      /** Out of the queue before its turn. */
      const drop = (err: ChatError, why: AdmissionRefusal) => {
        done();
        this.refusals[why]++;
        if (queue.delete(waiter)) {
          this.waitingCount--;
          if (queue.size === 0 && this.queues.get(key) === queue) this.queues.delete(key);
        }
        reject(err);
      };
      const leave = () =>
        drop(new ChatError(ErrorCode.UNAVAILABLE, 'the client left while waiting to be let in'), 'client_left');
      const timer = setTimeout(() => drop(tooBusy(), 'queue_timeout'), this.options.maxWaitMs);
      const waiter: Waiter = {
        admit: () => {
          done();
          this.checking++;
          resolve();
        },
        refuse: () => {
          done();
          this.refusals.shutdown++;
          reject(tooBusy());
        },
      };
      if (gone?.aborted) {
        leave();
        return;
      }
      gone?.addEventListener('abort', leave);
      if (queue.size === 0) this.queues.set(key, queue);
      queue.add(waiter);
      this.waitingCount++;
      this.armRecheck();
    });
  }

  release(): void {
    this.checking--;
    this.admitWaiting();
  }

  joinStarted(): number {
    this.joinsUnderWay++;
    return this.now();
  }

  joinFinished(startedAt: number): void {
    this.joinsUnderWay--;
    const now = this.now();
    if (now - startedAt <= this.options.targetMs) {
      this.joinLimit = Math.min(this.options.maxJoins, this.joinLimit + 1 / this.joinLimit);
    } else if (now - this.lastCut >= this.options.targetMs) {
      this.joinLimit = Math.max(1, this.joinLimit * 0.75);
      this.lastCut = now;
    }
    this.admitWaiting();
  }

  stats(): { checking: number; waiting: number; addressesWaiting: number; joinsUnderWay: number; joinLimit: number } {
    return {
      checking: this.checking,
      waiting: this.waitingCount,
      addressesWaiting: this.queues.size,
      joinsUnderWay: this.joinsUnderWay,
      joinLimit: Math.round(this.joinLimit * 10) / 10,
    };
  }

  /** On shutdown: everyone still waiting is turned away (and reconnects to another gateway). */
  close(): void {
    clearTimeout(this.recheck);
    for (const queue of this.queues.values()) for (const waiter of queue) waiter.refuse();
    this.queues.clear();
    this.waitingCount = 0;
  }

  private armRecheck(): void {
    if (this.waitingCount === 0 || this.recheck !== undefined) return;
    this.recheck = setTimeout(() => {
      this.recheck = undefined;
      this.admitWaiting();
    }, RECHECK_MS);
  }

  private mayAdmit(): boolean {
    const handshakes = this.loopBusy()
      ? 1
      : Math.min(this.options.concurrent, Math.max(1, Math.floor(this.joinLimit / JOINS_PER_NEWCOMER)));
    return this.checking < handshakes && this.joinsUnderWay < Math.floor(this.joinLimit);
  }

  /** One newcomer from the queue at the front of the round, which then goes to the back; while turns last. */
  private admitWaiting(): void {
    while (this.queues.size > 0 && this.mayAdmit()) {
      const [key, queue] = this.queues.entries().next().value as [string, Set<Waiter>];
      const waiter = queue.values().next().value as Waiter;
      queue.delete(waiter);
      this.waitingCount--;
      this.queues.delete(key);
      if (queue.size > 0) this.queues.set(key, queue);
      waiter.admit();
    }
    this.armRecheck();
  }
}

/** Where the limit starts: one newcomer's joins; it grows from there while joins stay quick. */
const INITIAL_JOIN_LIMIT = 4;
/** What a newcomer is expected to bring: handshakes checked at once are the join limit over this. */
const JOINS_PER_NEWCOMER = 4;

const RECHECK_MS = 10;

/**
 * Busy: the event loop was at work for more than `threshold` of the last `windowMs` (event-loop utilization,
 * as Node measures it). A crowd's first second is spent accepting connections and reading their requests;
 * letting newcomers in then would only queue their joins behind that.
 *
 * Node's `performance.eventLoopUtilization()` is the measure; all that is ours is the window. Not
 * `monitorEventLoopDelay`: it reports how late a sampling timer fired, a histogram to read and reset, and
 * needs that timer running; utilization answers "how busy lately" when asked, at no cost in between.
 * @fastify/under-pressure reads the same utilization, but on its own timer and for refusing requests.
 */
export function eventLoopBusy(threshold = 0.9, windowMs = 20): () => boolean {
  let last = performance.eventLoopUtilization();
  let busy = false;
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    if (delta.idle + delta.active >= windowMs) {
      busy = delta.utilization > threshold;
      last = now;
    }
    return busy;
  };
}

function tooManyFromOneAddress(): ChatError {
  return new ChatError(ErrorCode.UNAVAILABLE, 'too many connects from this address are waiting; try again shortly');
}

function tooBusy(): ChatError {
  return new ChatError(ErrorCode.UNAVAILABLE, 'the server is busy letting others in; try again shortly');
}
