export * from './announce.js';
export * from './codec.js';
export * from './connect.js';
export * from './request.js';
export { observeRequests, type RequestFailure, type RequestObserver } from './request-observer.js';
export * from './service.js';
export { headers } from '@nats-io/nats-core';
export type { NatsConnection, Subscription, Msg, MsgHdrs } from '@nats-io/nats-core';
