/**
 * Prometheus metrics of one service: GET /metrics (text exposition format) from a Registry of its own, with
 * Node's process metrics and event-loop lag, HTTP request durations by route, and the latency and failures of
 * the NATS requests it makes, by subject. Only the peers METRICS_ALLOW names may read it: the gateway is the
 * browsers' origin, and its figures are nobody else's business.
 *
 * prom-client directly rather than fastify-metrics: that plugin's endpoint merges prom-client's process-wide
 * default registry into every answer (tests build several apps in one process), and it times each request
 * with a hook of its own into a histogram and a summary, where Fastify already times every request
 * (reply.elapsedTime) and one histogram is what a dashboard reads.
 */
import { ChatError, ErrorCode, Subjects } from '@chat/protocol';
import { type NatsConnection, observeRequests } from '@chat/nats';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import proxyAddr from '@fastify/proxy-addr';

// The services make their own metrics with these: one prom-client for all, the one their registries come from.
export { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What every service's configuration says about its metrics (commonEnv). */
export interface MetricsConfig {
  METRICS_ALLOW: string;
}

export interface ServiceMetrics {
  /** Where the service's own metrics go (each app has its own; never prom-client's default registry). */
  readonly registry: Registry;
  /** Every request made on `nc` is timed, and its failures counted, by subject. */
  observeNatsRequests(nc: NatsConnection): void;
}

const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The subjects requests are made on. A subject outside it is labelled `other`: a label per room or per user
 * would make a series for each, without bound.
 */
const REQUEST_SUBJECTS: ReadonlySet<string> = new Set(
  [...Object.values(Subjects.auth), ...Object.values(Subjects.rooms)].filter((subject) => subject.includes('.')),
);

/** Registers the service's metrics and GET /metrics on `app` (before its routes, so that all are timed). */
export async function registerMetrics(
  app: FastifyInstance,
  service: string,
  config: MetricsConfig,
): Promise<ServiceMetrics> {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  // @fastify/proxy-addr is what reads TRUST_PROXY in Fastify: the same grammar, the same named ranges.
  const mayRead = proxyAddr.compile(config.METRICS_ALLOW.split(',').map((entry) => entry.trim()));

  const httpDuration = new Histogram({
    name: 'chat_http_request_duration_seconds',
    help: 'HTTP requests answered, by method, route (as registered) and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });

  await app.register(
    fp(
      async (instance) => {
        instance.addHook('onResponse', (request, reply, done) => {
          const route = request.routeOptions.url ?? 'unmatched';
          httpDuration.observe(
            { method: request.method, route, status_code: reply.statusCode },
            reply.elapsedTime / 1000,
          );
          done();
        });
        instance.get('/metrics', async (request, reply) => {
          // The socket's own peer: X-Forwarded-For is whatever a client chose to write.
          const peer = request.raw.socket.remoteAddress;
          if (!peer || !mayRead(peer, 0)) {
            throw new ChatError(ErrorCode.FORBIDDEN, 'metrics are not served to this address');
          }
          reply.header('cache-control', 'no-store').type(registry.contentType);
          return registry.metrics();
        });
        instance.addHook('onClose', async () => registry.clear());
      },
      { name: 'metrics' },
    ),
  );

  return { registry, observeNatsRequests: (nc) => observeRequests(nc, natsRequestMetrics(registry)) };
}

function natsRequestMetrics(registry: Registry) {
  const duration = new Histogram({
    name: 'chat_nats_request_duration_seconds',
    help: 'NATS requests this service made, from asking to the answer (or giving up), by subject',
    labelNames: ['subject'],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'chat_nats_request_failures_total',
    help: 'NATS requests this service made that failed, by subject and reason (timeout, no_responders, unreachable, service_error)',
    labelNames: ['subject', 'reason'],
    registers: [registry],
  });
  // One child per subject, made once: the label set is then not hashed again for every request.
  const timers = new Map<string, Histogram.Internal<'subject'>>();
  return (subject: string, seconds: number, failure: string | undefined) => {
    const label = REQUEST_SUBJECTS.has(subject) ? subject : 'other';
    let timer = timers.get(label);
    if (!timer) {
      timer = duration.labels(label);
      timers.set(label, timer);
    }
    timer.observe(seconds);
    if (failure) failures.inc({ subject: label, reason: failure });
  };
}

/**
 * A counter whose count a hot path keeps as a plain number (`count++`), read when scraped: the hot path pays
 * an increment, not a prom-client call. `read` returns totals by label value (every value there from the
 * start, so each series exists at 0).
 */
export function scrapedCounter<L extends string>(
  registry: Registry,
  options: { name: string; help: string; label: L; read: () => Readonly<Record<string, number>> },
): Counter<L>;
export function scrapedCounter(
  registry: Registry,
  options: { name: string; help: string; read: () => number },
): Counter;
export function scrapedCounter(
  registry: Registry,
  options: { name: string; help: string; label?: string; read: () => number | Readonly<Record<string, number>> },
): Counter<string> {
  const { label } = options;
  const reported = new Map<string, number>();
  const report = (counter: Counter<string>, value: string | undefined, total: number) => {
    const before = reported.get(value ?? '') ?? 0;
    if (total <= before) return;
    if (label === undefined || value === undefined) counter.inc(total - before);
    else counter.inc({ [label]: value }, total - before);
    reported.set(value ?? '', total);
  };
  const counter: Counter<string> = new Counter({
    name: options.name,
    help: options.help,
    labelNames: label === undefined ? [] : [label],
    registers: [registry],
    collect() {
      const totals = options.read();
      if (typeof totals === 'number') report(this, undefined, totals);
      else for (const [value, total] of Object.entries(totals)) report(this, value, total);
    },
  });
  if (label !== undefined) {
    const totals = options.read();
    if (typeof totals !== 'number') for (const value of Object.keys(totals)) counter.inc({ [label]: value }, 0);
  }
  return counter;
}

/** A gauge that reads the current state when scraped (sockets open, messages queued). */
export function scrapedGauge(registry: Registry, options: { name: string; help: string; read: () => number }): Gauge {
  return new Gauge({
    name: options.name,
    help: options.help,
    registers: [registry],
    collect() {
      this.set(options.read());
    },
  });
}
