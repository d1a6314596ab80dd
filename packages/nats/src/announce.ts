import { encodeJson } from './codec.js';
import type { NatsConnection } from '@nats-io/nats-core';

/**
 * Publishes an event other processes act on (a user changed, a room changed) and resolves once the NATS
 * server has it: whatever the caller does after (answering the HTTP request that made the change) then
 * reaches every subscriber after the announcement. Every service announces this way.
 */
export async function announce(nc: NatsConnection, subject: string, event: unknown): Promise<void> {
  nc.publish(subject, encodeJson(event));
  await nc.flush();
}
