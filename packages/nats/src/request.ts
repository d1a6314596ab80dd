/** Request/reply with a deadline: every failure becomes a ChatError, never a hang. */
import { errors, type NatsConnection } from '@nats-io/nats-core';
import { ServiceError } from '@nats-io/services';
import { ChatError, ErrorCode, isErrorCode } from '@chat/protocol';
import { decodeJson, encodeJson } from './codec.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 3000;

export interface RawAnswer {
  data: Uint8Array;
  header(name: string): string | undefined;
}

/** As `request`, but the answer's bytes are returned unparsed, with its headers. */
export async function requestRaw(
  nc: NatsConnection,
  subject: string,
  payload: unknown,
  timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
): Promise<RawAnswer> {
  const reply = await ask(nc, subject, payload, timeoutMs);
  return { data: reply.data, header: (name) => reply.headers?.get(name) || undefined };
}

export async function request<T>(
  nc: NatsConnection,
  subject: string,
  payload: unknown,
  timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
): Promise<T> {
  const reply = await ask(nc, subject, payload, timeoutMs);
  return decodeJson(reply.data) as T;
}

/**
 * Requests wait for the end of the event loop's I/O phase, then go out together. nats.js writes to its socket
 * once per microtask checkpoint, and Node runs one after every socket callback: a gateway reading fifty
 * clients' frames in one turn made fifty writes to NATS, each a system call (on the bench machine a
 * quarter of the gateway's time in the persistence scenario). Published from one setImmediate callback,
 * they leave in one write. The cost is the rest of the current turn, well under a millisecond. (So a request
 * is published after the turn it was made in: an `nc.flush()` in the same turn does not cover it.)
 */
const pendingByConnection = new WeakMap<NatsConnection, (() => void)[]>();

function whenTurnEnds(nc: NatsConnection, start: () => void): void {
  let pending = pendingByConnection.get(nc);
  if (!pending) {
    pending = [];
    pendingByConnection.set(nc, pending);
  }
  if (pending.push(start) === 1) {
    setImmediate(() => {
      const starts = pending.splice(0);
      for (const go of starts) go();
    });
  }
}

type Reply = Awaited<ReturnType<NatsConnection['request']>>;

function requestAtTurnEnd(nc: NatsConnection, subject: string, data: Uint8Array, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    whenTurnEnds(nc, () => {
      nc.request(subject, data, { timeout: timeoutMs }).then(resolve, reject);
    });
  });
}

/** Sends the request; resolves with a successful answer, or throws the ChatError it carried or its absence. */
async function ask(nc: NatsConnection, subject: string, payload: unknown, timeoutMs: number) {
  let reply: Reply;
  try {
    reply = await requestAtTurnEnd(nc, subject, encodeJson(payload), timeoutMs);
  } catch (err) {
    throw toUnavailable(subject, err);
  }
  if (ServiceError.isServiceError(reply)) {
    const body = decodeJson(reply.data) as { code?: unknown; message?: unknown } | undefined;
    if (body && isErrorCode(body.code)) {
      throw new ChatError(body.code, typeof body.message === 'string' ? body.message : body.code);
    }
    const serviceError = ServiceError.toServiceError(reply);
    throw new ChatError(ErrorCode.INTERNAL, serviceError?.message ?? 'service error');
  }
  return reply;
}

function toUnavailable(subject: string, err: unknown): ChatError {
  const service = subject.split('.')[0];
  if (err instanceof errors.RequestError && err.isNoResponders()) {
    return new ChatError(ErrorCode.UNAVAILABLE, `the ${service} service is not running`);
  }
  if (err instanceof errors.TimeoutError || (err instanceof Error && err.cause instanceof errors.TimeoutError)) {
    return new ChatError(ErrorCode.UNAVAILABLE, `the ${service} service did not answer in time`);
  }
  return new ChatError(ErrorCode.UNAVAILABLE, `the ${service} service could not be reached`);
}
