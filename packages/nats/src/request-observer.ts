/**
 * Who watches a connection's requests (its metrics): told of each request as it ends, with the time the
 * caller waited and, when it failed, why. One per connection, so this package needs no metrics library and
 * a connection nobody watches pays one WeakMap lookup per request.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { NoRespondersError, RequestTimeoutError } from './reply-mux.js';

/** Why a request failed: no answer in time, nobody listening, no way to ask, or the service said no. */
export type RequestFailure = 'timeout' | 'no_responders' | 'unreachable' | 'service_error';

export type RequestObserver = (subject: string, seconds: number, failure: RequestFailure | undefined) => void;

const observers = new WeakMap<NatsConnection, RequestObserver>();

/** Every request made on `nc` from now on is reported to `observer` as it ends. */
export function observeRequests(nc: NatsConnection, observer: RequestObserver): void {
  observers.set(nc, observer);
}

/** @internal request.ts: the observer of `nc`, if any. */
export function requestObserverOf(nc: NatsConnection): RequestObserver | undefined {
  return observers.get(nc);
}

/** @internal request.ts: a request that got no answer, as a failure reason. */
export function unansweredFailure(err: unknown): RequestFailure {
  if (err instanceof RequestTimeoutError) return 'timeout';
  if (err instanceof NoRespondersError) return 'no_responders';
  return 'unreachable';
}
