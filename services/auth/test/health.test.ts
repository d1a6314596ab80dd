/** /healthz and /readyz of the auth service, against its real nats-server and database taken away. */
import { compile, HealthReport, Subjects } from '@chat/protocol';
import { connectNats, type NatsConnection, request } from '@chat/nats';
import { testDatabaseKind } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthHarness, startAuth } from './harness.js';

const validReport = compile(HealthReport);
let auth: AuthHarness;
let nc: NatsConnection;
beforeAll(async () => {
  auth = await startAuth();
  nc = await connectNats({ url: auth.nats.url, name: 'auth-health-test' });
});
afterAll(async () => {
  await nc?.close();
  await auth?.stop();
});

describe('auth health', () => {
  it('answers /healthz while it serves', async () => {
    const res = await auth.call('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', service: 'auth', checks: {} });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('is ready when it reaches NATS and its database, on /readyz and under /api/auth/ for the gateway', async () => {
    for (const path of ['/readyz', '/api/auth/readyz', '/api/auth/health']) {
      const res = await auth.call('GET', path);
      expect(res.status, path).toBe(200);
      expect(validReport.check(res.body)).toBe(true);
      expect(res.body).toMatchObject({
        status: 'ok',
        service: 'auth',
        checks: { nats: { ok: true }, database: { ok: true } },
      });
    }
  });

  it('answers the same report over NATS on auth.ready', async () => {
    const report = await request(nc, Subjects.auth.ready, {});
    expect(validReport.check(report)).toBe(true);
    expect(report).toMatchObject({
      status: 'ok',
      service: 'auth',
      checks: { nats: { ok: true }, database: { ok: true } },
    });
  });

  it('is not ready, naming nats, while its nats-server is down, and ready again once it is back', async () => {
    await auth.nats.stop();
    try {
      const down = await auth.getUntil('/readyz', (s) => s === 503);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({
        status: 'unavailable',
        checks: { nats: { ok: false, error: 'not connected to the server' }, database: { ok: true } },
      });
      expect((await auth.call('GET', '/healthz')).status).toBe(200);
    } finally {
      await auth.nats.restart();
    }
    expect((await auth.getUntil('/readyz', (s) => s === 200)).status).toBe(200);
  });

  it('is not ready, naming the database, once its database is gone', async () => {
    await auth.dropDatabase();

    const res = await auth.getUntil('/readyz', (s) => s === 503);
    expect(res.status).toBe(503);
    // 3D000: the database does not exist (a Postgres server); unreachable: the embedded server is gone (its
    // connection cut, or refused). The driver's own words stay in the log.
    expect(res.body.checks).toEqual({
      nats: { ok: true, ms: expect.any(Number) },
      database: {
        ok: false,
        ms: expect.any(Number),
        error: testDatabaseKind === 'embedded' ? expect.stringMatching(/^unreachable/) : 'failed (3D000)',
      },
    });
    expect((await auth.call('GET', '/healthz')).status).toBe(200);
  });
});
