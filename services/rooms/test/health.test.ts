/**
 * /healthz and /readyz of the rooms service while its nats-server and its Postgres stop and start. Postgres is
 * a private cluster: the shared server on 5432 serves other suites and must never be stopped.
 */
import { connectNats, type NatsConnection, request } from '@chat/nats';
import { compile, HealthReport, Subjects } from '@chat/protocol';
import {
  generateSigningKeys,
  type NatsServerHandle,
  type PostgresServerHandle,
  restClient,
  startNatsServer,
  startPostgresServer,
} from '@chat/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { roomsConfigFromEnv } from '../src/config.js';

const validReport = compile(HealthReport);
let postgres: PostgresServerHandle;
let nats: NatsServerHandle;
let rooms: FastifyInstance;
let nc: NatsConnection;
let call: ReturnType<typeof restClient>['call'];
let getUntil: ReturnType<typeof restClient>['getUntil'];

beforeAll(async () => {
  [postgres, nats] = await Promise.all([startPostgresServer(), startNatsServer()]);
  rooms = await buildApp(
    roomsConfigFromEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      NATS_URL: nats.url,
      DATABASE_URL: postgres.url(),
      JWT_PUBLIC_KEY: generateSigningKeys().publicKey,
    }),
  );
  ({ call, getUntil } = restClient(await rooms.listen({ host: '127.0.0.1', port: 0 })));
  nc = await connectNats({ url: nats.url, name: 'rooms-health-test' });
}, 90_000);
afterAll(async () => {
  await nc?.close();
  await rooms?.close();
  await nats?.stop();
  await postgres?.cleanup();
}, 60_000);

describe('rooms health', () => {
  it('answers /healthz while it serves', async () => {
    expect(await call('GET', '/healthz')).toMatchObject({
      status: 200,
      body: { status: 'ok', service: 'rooms', checks: {} },
    });
  });

  it('is ready when it reaches NATS and its database, on /readyz and under /api/rooms/ for the gateway', async () => {
    for (const path of ['/readyz', '/api/rooms/readyz', '/api/rooms/health']) {
      const res = await call('GET', path);
      expect(res.status, path).toBe(200);
      expect(validReport.check(res.body)).toBe(true);
      expect(res.body).toMatchObject({ status: 'ok', checks: { nats: { ok: true }, database: { ok: true } } });
    }
  });

  it('is not ready, naming the database, while Postgres is down (over HTTP and NATS), and ready once it is back', async () => {
    await postgres.stop('fast');
    try {
      const res = await getUntil('/readyz', (s) => s === 503);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        status: 'unavailable',
        service: 'rooms',
        checks: { nats: { ok: true }, database: { ok: false, error: 'unreachable (ECONNREFUSED)' } },
      });
      const overNats = await request(nc, Subjects.rooms.ready, {});
      expect(validReport.check(overNats)).toBe(true);
      expect(overNats).toMatchObject({ status: 'unavailable', checks: { database: { ok: false } } });
      expect((await call('GET', '/healthz')).status).toBe(200);
    } finally {
      await postgres.start();
    }
    expect((await getUntil('/readyz', (s) => s === 200)).body).toMatchObject({ status: 'ok' });
  });

  it('is not ready, naming nats, while its nats-server is down, and ready again once it is back', async () => {
    await nats.stop();
    try {
      const res = await getUntil('/readyz', (s) => s === 503);
      expect(res.status).toBe(503);
      expect(res.body.checks).toMatchObject({
        nats: { ok: false, error: 'not connected to the server' },
        database: { ok: true },
      });
    } finally {
      await nats.restart();
    }
    expect((await getUntil('/readyz', (s) => s === 200)).status).toBe(200);
  });
});
