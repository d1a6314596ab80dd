/**
 * The reply inbox prefix each connection was made with. connectNats chooses it and notes it here: nats.js keeps
 * its options but has no public accessor for them.
 */
import type { NatsConnection } from '@nats-io/nats-core';

const prefixes = new WeakMap<NatsConnection, string>();

export function noteInboxPrefix(nc: NatsConnection, prefix: string): void {
  prefixes.set(nc, prefix);
}

/** Undefined for a connection connectNats did not make: nats.js's default (_INBOX) applies. */
export function inboxPrefixOf(nc: NatsConnection): string | undefined {
  return prefixes.get(nc);
}
