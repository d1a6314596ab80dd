/**
 * One way for every service to start and stop. What a service opens (its database, its NATS connection,
 * its NATS endpoints) is opened inside a Fastify plugin that registers its own close hook, so closing the
 * app closes exactly what was opened, in reverse order; and `buildService` closes the app when the start
 * fails half-way (NATS down after the database opened), so nothing is left open behind a failed start.
 */
import {
  connectNats,
  type NatsOptions,
  type NatsConnection,
  type RunningService,
  type ServiceSpec,
  startService,
} from '@chat/nats';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type DatabaseOptions, openDatabase, type ServiceDatabase } from './database.js';

/** Runs the service's set-up on `app`; if any step fails, closes what the earlier steps opened and rethrows. */
export async function buildService(app: FastifyInstance, setUp: () => Promise<void>): Promise<FastifyInstance> {
  try {
    // Every step awaits its plugin, so a failure surfaces here; the app is left not yet ready, as Fastify
    // apps are before listen (callers, tests among them, may still add hooks).
    await setUp();
    return app;
  } catch (err) {
    await app.close().catch((closeErr: unknown) => app.log.warn({ err: closeErr }, 'closing after a failed start'));
    throw err;
  }
}

/** What every service's configuration says about its database (the env names of docs/operations.md). */
export interface DatabaseConfig {
  DATABASE_URL: string;
  DATABASE_POOL_MAX: number;
  DATABASE_IDLE_TIMEOUT_MS: number;
}

/** What every service's configuration says about NATS (commonEnv). */
export interface NatsConfig {
  NATS_URL: string;
  NATS_USER?: string | undefined;
  NATS_PASS?: string | undefined;
}

/** The service's database (its own schema, migrated), closed when the app closes. */
export async function registerDatabase<DB>(
  app: FastifyInstance,
  config: DatabaseConfig,
  owned: Pick<DatabaseOptions, 'schema' | 'migrations'>,
): Promise<ServiceDatabase<DB>> {
  const options = {
    url: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
    idleTimeoutMs: config.DATABASE_IDLE_TIMEOUT_MS,
    ...owned,
  };
  // Set by the plugin, which has run when register() resolves.
  let database!: ServiceDatabase<DB>;
  await app.register(
    fp(
      async (instance) => {
        database = await openDatabase<DB>({ ...options, log: instance.log });
        instance.addHook('onClose', () => database.close());
      },
      { name: 'database' },
    ),
  );
  return database;
}

/** The service's NATS connection, named after it, drained when the app closes (after its endpoints stopped). */
export async function registerNats(app: FastifyInstance, name: string, config: NatsConfig): Promise<NatsConnection> {
  const options: NatsOptions = { url: config.NATS_URL, name, user: config.NATS_USER, pass: config.NATS_PASS };
  let nc!: NatsConnection;
  await app.register(
    fp(
      async (instance) => {
        nc = await connectNats({ ...options, logger: instance.log });
        instance.addHook('onClose', () => nc.drain());
      },
      { name: 'nats' },
    ),
  );
  return nc;
}

/**
 * The service's NATS endpoints (@nats-io/services), stopped first when the app closes: no new requests, and
 * the answers under way are sent before the connection drains.
 */
export async function registerNatsService(
  app: FastifyInstance,
  nc: NatsConnection,
  spec: ServiceSpec,
): Promise<RunningService> {
  let service!: RunningService;
  await app.register(
    fp(
      async (instance) => {
        service = await startService(nc, spec, instance.log);
        instance.addHook('preClose', () => service.stop());
      },
      { name: `nats-service-${spec.name}` },
    ),
  );
  return service;
}
