export * from './announce.js';
export * from './codec.js';
export * from './connect.js';
export * from './request.js';
export * from './service.js';
export type { NatsConnection, Subscription, Msg } from '@nats-io/nats-core';
