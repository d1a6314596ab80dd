/** One way to connect to NATS: named, reconnecting forever, status changes logged. */
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { noteInboxPrefix } from './inbox-prefix.js';

export interface NatsLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface NatsOptions {
  /** Comma-separated server URLs, e.g. nats://127.0.0.1:4222 */
  url: string;
  /** Shows up in `nats server report connections`: say which service this is. */
  name: string;
  user?: string | undefined;
  pass?: string | undefined;
  logger?: NatsLogger;
}

export async function connectNats(options: NatsOptions): Promise<NatsConnection> {
  const inboxPrefix = `_INBOX_${options.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const nc = await connect({
    servers: options.url.split(',').map((s) => s.trim()),
    name: options.name,
    // Replies come to an inbox named after the connection, so NATS permissions can give each service only
    // its own replies to read (deploy/nats-server.conf) instead of everyone's under _INBOX.>.
    inboxPrefix,
    ...(options.user ? { user: options.user, pass: options.pass ?? '' } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    pingInterval: 10_000,
    // Async stack traces cost an Error per request (requests go through reply-mux.ts, which makes none).
    noAsyncTraces: true,
  });
  noteInboxPrefix(nc, inboxPrefix);
  if (options.logger) watchStatus(nc, options.logger);
  return nc;
}

async function watchStatus(nc: NatsConnection, logger: NatsLogger): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect' || status.type === 'error' || status.type === 'slowConsumer') {
      logger.warn({ nats: status }, `nats ${status.type}`);
    } else if (status.type === 'reconnect') {
      logger.info({ nats: status }, 'nats reconnected');
    }
  }
}
