/**
 * Takes dead gateways out of presence: every instance looks, every third of the timeout, for gateways silent
 * longer than it, and announces `left` for the users they held last (PresenceStore.sweep claims each gateway
 * for one instance). An instance only judges silence it could have heard: not until it has been connected to
 * NATS for a whole timeout, since its start or its last reconnection. Otherwise a NATS outage, or all rooms
 * instances down for a while, would look like every gateway dying at once.
 */
import type { NatsConnection } from '@chat/nats';
import type { FastifyBaseLogger } from 'fastify';
import type { RoomEvents } from '../nats/room-events.js';
import type { PresenceStore } from './store.js';

export interface SweeperOptions {
  /** A gateway silent this long is taken for dead. */
  timeoutMs: number;
  log: FastifyBaseLogger;
}

export function sweepDeadGateways(
  nc: NatsConnection,
  presence: PresenceStore,
  events: RoomEvents,
  { timeoutMs, log }: SweeperOptions,
): { stop(): void } {
  let listeningSince = Date.now();
  let connected = true;
  let sweeping = false;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connected = false;
      if (status.type === 'reconnect') {
        connected = true;
        listeningSince = Date.now();
      }
    }
  })();
  const timer = setInterval(
    async () => {
      if (sweeping || !connected || Date.now() - listeningSince < timeoutMs) return;
      sweeping = true;
      try {
        for (const { room, user } of await presence.sweep(timeoutMs)) events.left(room, user);
      } catch (err) {
        log.warn({ err }, 'presence sweep failed; the next one tries again');
      } finally {
        sweeping = false;
      }
    },
    Math.ceil(timeoutMs / 3),
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
