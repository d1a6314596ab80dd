/**
 * Health, the same on every service: GET /healthz says the process serves (200 whenever it answers at all);
 * GET /readyz runs the service's named checks now, together, each against a deadline, and answers 200 when
 * all pass and 503 naming those that failed. A service lists its checks; this runs them.
 */
import { ChatError, ErrorBody, ErrorCode, type HealthCheckResult, HealthReport } from '@chat/protocol';
import { Type } from '@sinclair/typebox';
import type { NatsConnection } from '@chat/nats';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { isDatabaseUnavailable } from './errors.js';
import { operationIdOf } from './openapi.js';

/**
 * Resolves when the dependency answers. A ChatError's message is shown as it is; any other failure shows
 * only its code (a driver's message may name hosts or users) and is logged whole.
 */
export type ReadinessCheck = () => Promise<unknown>;

/** Each check's deadline on auth and rooms. */
export const READINESS_TIMEOUT_MS = 1000;

export interface ReadinessOptions {
  timeoutMs?: number;
  log?: { warn(obj: object, msg: string): void };
}

/** Returns a function that runs every check and reports; also what a service's `<name>.ready` endpoint answers. */
export function readiness(
  service: string,
  checks: Record<string, ReadinessCheck>,
  { timeoutMs = READINESS_TIMEOUT_MS, log }: ReadinessOptions = {},
): () => Promise<HealthReport> {
  // A check that has not settled is joined, never started again: probes every few seconds against a hung
  // database must not pile up one stuck query (and pool connection) each.
  const running = new Map<string, { startedAt: number; outcome: Promise<unknown> }>();

  async function run(name: string, check: ReadinessCheck): Promise<HealthCheckResult> {
    const now = performance.now();
    let current = running.get(name);
    if (!current) {
      const outcome = Promise.resolve().then(check);
      const entry = { startedAt: now, outcome };
      current = entry;
      running.set(name, entry);
      const forget = () => running.delete(name);
      outcome.then(forget, forget);
    }
    const { startedAt, outcome } = current;
    const ms = () => Math.round((performance.now() - now) * 10) / 10;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, startedAt + timeoutMs - now), 'late');
    });
    try {
      if ((await Promise.race([outcome, deadline])) === 'late') {
        return { ok: false, ms: ms(), error: `no answer within ${timeoutMs} ms` };
      }
      return { ok: true, ms: ms() };
    } catch (err) {
      if (err instanceof ChatError) return { ok: false, ms: ms(), error: err.message };
      log?.warn({ err, check: name }, 'readiness check failed');
      const code = (err as { code?: unknown } | null)?.code;
      return { ok: false, ms: ms(), error: typeof code === 'string' ? `failed (${code})` : 'failed' };
    } finally {
      clearTimeout(timer);
    }
  }

  return async () => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => run(name, checks[name] as ReadinessCheck)));
    return {
      status: results.every((r) => r.ok) ? 'ok' : 'unavailable',
      service,
      checks: Object.fromEntries(names.map((name, i) => [name, results[i] as HealthCheckResult])),
    };
  };
}

/** A round trip to the NATS server (PING/PONG); fails at once while disconnected. */
export function natsCheck(nc: NatsConnection): ReadinessCheck {
  return () =>
    nc.rtt().catch(() => {
      throw new ChatError(
        ErrorCode.UNAVAILABLE,
        nc.isClosed() ? 'the connection is closed' : 'not connected to the server',
      );
    });
}

/** `select 1` through the service's pool, as its requests' queries go. */
export function databaseCheck(db: Kysely<any>): ReadinessCheck {
  return () =>
    sql`select 1`.execute(db).catch((err: unknown) => {
      if (!isDatabaseUnavailable(err)) throw err;
      const code = (err as { code?: unknown }).code;
      throw new ChatError(ErrorCode.UNAVAILABLE, `unreachable${typeof code === 'string' ? ` (${code})` : ''}`);
    });
}

export interface HealthRoutesOptions {
  service: string;
  ready: () => Promise<HealthReport>;
  /** Counters shown on /healthz; must be cheap, it is asked often. */
  stats?: () => Record<string, unknown>;
  /** More paths that answer as /readyz, e.g. `/api/auth/readyz`, which the gateway forwards to the service. */
  readyAliases?: string[];
}

export async function healthRoutes(app: FastifyInstance, options: HealthRoutesOptions): Promise<void> {
  const { service, ready, stats } = options;
  // Through the gateway, a service that is down is a 503 of the gateway's own: an error body, not a report.
  const notReady = Type.Union([HealthReport, ErrorBody], { description: 'not ready: the report, or UNAVAILABLE' });
  const schema = (path: string, summary: string) => ({
    tags: ['health'],
    summary,
    operationId: operationIdOf('GET', path),
    response: { 200: { ...HealthReport, description: 'status ok: serving (every check passed)' }, 503: notReady },
  });
  app.get('/healthz', { schema: schema('/healthz', `${service}: the process serves`) }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    const report: HealthReport = { status: 'ok', service, checks: {} };
    if (stats) report.stats = stats();
    return report;
  });
  for (const path of ['/readyz', ...(options.readyAliases ?? [])]) {
    const summary = `${service}: readiness, every dependency checked now${path === '/readyz' ? '' : ' (as /readyz)'}`;
    app.get(path, { schema: schema(path, summary) }, async (_request, reply) => {
      const report = await ready();
      return reply
        .code(report.status === 'ok' ? 200 : 503)
        .header('cache-control', 'no-store')
        .send(report);
    });
  }
}
