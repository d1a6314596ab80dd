/** Request/reply with a deadline: every failure becomes a ChatError, never a hang. */
import type { Msg, NatsConnection } from '@nats-io/nats-core';
import { ServiceError } from '@nats-io/services';
import { ChatError, ErrorCode, isErrorCode } from '@chat/protocol';
import { decodeJson, encodeJson } from './codec.js';
import { NoRespondersError, RequestTimeoutError, replyMux } from './reply-mux.js';
import { requestObserverOf, unansweredFailure } from './request-observer.js';

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

/** Sends the request; resolves with a successful answer, or throws the ChatError it carried or its absence. */
async function ask(nc: NatsConnection, subject: string, payload: unknown, timeoutMs: number) {
  const observe = requestObserverOf(nc);
  const startedAt = observe ? performance.now() : 0;
  let reply: Msg;
  try {
    reply = await replyMux(nc).request(subject, encodeJson(payload), timeoutMs);
  } catch (err) {
    observe?.(subject, (performance.now() - startedAt) / 1000, unansweredFailure(err));
    throw toUnavailable(subject, err);
  }
  const failed = ServiceError.isServiceError(reply);
  observe?.(subject, (performance.now() - startedAt) / 1000, failed ? 'service_error' : undefined);
  if (failed) {
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
  if (err instanceof NoRespondersError) {
    return new ChatError(ErrorCode.UNAVAILABLE, `the ${service} service is not running`);
  }
  if (err instanceof RequestTimeoutError) {
    return new ChatError(ErrorCode.UNAVAILABLE, `the ${service} service did not answer in time`);
  }
  return new ChatError(ErrorCode.UNAVAILABLE, `the ${service} service could not be reached`);
}
