/**
 * Request/reply over one inbox subscription per connection, lighter than nats.js's own `request`.
 *
 * nats.js muxes replies the same way, but around each request it builds a deferred, a timer promise, a
 * Promise.race and, once the answer is in, rejects the spent deferred with a fresh RequestError("cancelled"),
 * capturing a stack trace for nothing. In the persistence bench that Error alone was 8 % of the gateway's
 * time. Here a request is one map entry and one timer, answered straight from the subscription callback.
 *
 * Requests are also held to the end of the event loop's I/O phase and published together. nats.js writes to
 * its socket once per microtask checkpoint, and Node runs one after every socket callback: a gateway reading
 * fifty clients' frames in one turn made fifty writes to NATS, each a system call. Published from one
 * setImmediate callback, they leave in one write, for the cost of the rest of the current turn. (So a request
 * is published after the turn it was made in: an `nc.flush()` in the same turn does not cover it.)
 */
import { createInbox, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { inboxPrefixOf } from './inbox-prefix.js';

interface Waiter {
  subject: string;
  /** The request's body until it is published. */
  data: Uint8Array | undefined;
  headers: MsgHdrs | undefined;
  resolve(msg: Msg): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** No service listens on the subject: NATS answered at once with a 503 status. */
export class NoRespondersError extends Error {
  constructor(subject: string) {
    super(`no responders on ${subject}`);
    this.name = 'NoRespondersError';
  }
}

/** The deadline passed without an answer. */
export class RequestTimeoutError extends Error {
  constructor(subject: string, timeoutMs: number) {
    super(`no answer on ${subject} within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** The connection closed (or the inbox subscription failed) before the answer came. */
export class RequestAbandonedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RequestAbandonedError';
  }
}

const muxes = new WeakMap<NatsConnection, ReplyMux>();
const watchedForClose = new WeakSet<NatsConnection>();

/** The connection's mux, made on first use. */
export function replyMux(nc: NatsConnection): ReplyMux {
  let mux = muxes.get(nc);
  if (!mux) {
    mux = new ReplyMux(nc);
    muxes.set(nc, mux);
  }
  return mux;
}

export class ReplyMux {
  /** `<inbox>.`: a reply subject is this plus a token. */
  private readonly base: string;
  private readonly waiting = new Map<string, Waiter>();
  /** Tokens of the requests held until the end of this turn. */
  private outgoing: string[] = [];
  private nextToken = 0;

  constructor(private readonly nc: NatsConnection) {
    // connectNats names each service's inbox, so NATS permissions can keep a service to its own replies.
    this.base = `${createInbox(inboxPrefixOf(nc))}.`;
    nc.subscribe(`${this.base}*`, {
      callback: (err, msg) => (err ? this.inboxFailed(err) : this.answer(msg)),
    });
    // Once per connection, not per mux: after an inbox failure each request may make a new one.
    if (!watchedForClose.has(nc)) {
      watchedForClose.add(nc);
      nc.closed().then(() => muxes.get(nc)?.abandonAll('the NATS connection closed'));
    }
  }

  /** Resolves with the answer (which may carry a service error in its headers); rejects as the errors above. */
  request(subject: string, data: Uint8Array, timeoutMs: number, headers?: MsgHdrs): Promise<Msg> {
    if (this.nc.isClosed()) return Promise.reject(new RequestAbandonedError('the NATS connection is closed'));
    return new Promise((resolve, reject) => {
      const token = (this.nextToken++).toString(36);
      const timer = setTimeout(() => {
        this.take(token)?.reject(new RequestTimeoutError(subject, timeoutMs));
      }, timeoutMs);
      this.waiting.set(token, { subject, data, headers, resolve, reject, timer });
      if (this.outgoing.push(token) === 1) setImmediate(() => this.publishAll());
    });
  }

  private publishAll(): void {
    const outgoing = this.outgoing;
    this.outgoing = [];
    for (const token of outgoing) {
      const waiter = this.waiting.get(token);
      if (!waiter) continue; // timed out before its turn ended
      try {
        this.nc.publish(waiter.subject, waiter.data, { reply: this.base + token, headers: waiter.headers });
        waiter.data = undefined;
        waiter.headers = undefined;
      } catch (err) {
        this.take(token)?.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private answer(msg: Msg): void {
    const token = msg.subject.slice(this.base.length);
    // NATS's "no responders" is an empty message with status 503 in its headers.
    const waiter = this.take(token);
    if (!waiter) return; // a late answer to a request that timed out
    if (msg.data.length === 0 && msg.headers?.code === 503) waiter.reject(new NoRespondersError(waiter.subject));
    else waiter.resolve(msg);
  }

  /** The request waiting under `token`, no longer waiting (its timer stopped); undefined if it was settled. */
  private take(token: string): Waiter | undefined {
    const waiter = this.waiting.get(token);
    if (!waiter) return undefined;
    this.waiting.delete(token);
    clearTimeout(waiter.timer);
    return waiter;
  }

  /**
   * The server refused or ended the inbox subscription (a permissions error: the account may not read its
   * own replies). Every request waiting fails now, and the next one makes a new mux, so it fails as fast
   * (instead of waiting out its deadline for answers nobody receives), and succeeds once the permissions
   * are fixed.
   */
  private inboxFailed(err: Error): void {
    if (muxes.get(this.nc) === this) muxes.delete(this.nc);
    this.abandonAll(`reply inbox failed: ${err.message}`);
  }

  private abandonAll(reason: string): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiting) {
      clearTimeout(waiter.timer);
      waiter.reject(new RequestAbandonedError(reason));
    }
  }
}
