/**
 * The gateway's /healthz and /readyz, and its /api/* while the services behind it are not up yet: the gateway
 * starts alone (with its nats-server), then auth and then rooms start on the ports it forwards to.
 */
import { authConfigFromEnv, buildApp as buildAuth, createSuperuser } from '@chat/auth';
import { compile, HealthReport } from '@chat/protocol';
import { buildApp as buildRooms, roomsConfigFromEnv } from '@chat/rooms';
import {
  createTestDatabase,
  freePort,
  generateSigningKeys,
  type NatsServerHandle,
  restClient,
  startNatsServer,
  type TestDatabase,
} from '@chat/test-kit';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp as buildGateway, gatewayConfigFromEnv } from '../src/index.js';

const validReport = compile(HealthReport);
let nats: NatsServerHandle;
let database: TestDatabase;
let gateway: FastifyInstance;
const services: FastifyInstance[] = [];
let call: ReturnType<typeof restClient>['call'];
let getUntil: ReturnType<typeof restClient>['getUntil'];
let common: Record<string, string>;
let keys: ReturnType<typeof generateSigningKeys>;
let authPort: number;
let roomsPort: number;
/** How often auth was asked GET /api/auth/readyz (through the gateway). */
let authReadyAsked = 0;

beforeAll(async () => {
  [nats, database, authPort, roomsPort] = await Promise.all([
    startNatsServer(),
    createTestDatabase(),
    freePort(),
    freePort(),
  ]);
  keys = generateSigningKeys();
  common = { NODE_ENV: 'test', LOG_LEVEL: 'silent', NATS_URL: nats.url, JWT_PUBLIC_KEY: keys.publicKey };
  gateway = await buildGateway(
    gatewayConfigFromEnv({
      ...common,
      AUTH_URL: `http://127.0.0.1:${authPort}`,
      ROOMS_URL: `http://127.0.0.1:${roomsPort}`,
    }),
  );
  ({ call, getUntil } = restClient(await gateway.listen({ host: '127.0.0.1', port: 0 })));
});
afterAll(async () => {
  await gateway?.close();
  for (const app of services.reverse()) await app.close();
  await nats?.stop();
  await database?.drop();
});

describe('the gateway before and after the services start', () => {
  it('answers /healthz as soon as it serves, with its counters', async () => {
    const res = await call('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(validReport.check(res.body)).toBe(true);
    expect(res.body).toMatchObject({
      status: 'ok',
      service: 'gateway',
      checks: {},
      stats: { sockets: 0, rooms: 0, members: 0, admission: { waiting: 0 } },
    });
  });

  it('is not ready while auth and rooms are not running, and names both', async () => {
    const res = await call('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(validReport.check(res.body)).toBe(true);
    expect(res.body.status).toBe('unavailable');
    expect(res.body.checks.nats).toMatchObject({ ok: true });
    expect(res.body.checks.auth).toMatchObject({
      ok: false,
      error: 'over NATS: the auth service is not running; over HTTP: no answer (ECONNREFUSED)',
    });
    expect(res.body.checks.rooms).toMatchObject({
      ok: false,
      error: 'over NATS: the rooms service is not running; over HTTP: no answer (ECONNREFUSED)',
    });
  });

  it('answers /api/* with 503 UNAVAILABLE, not 500, while the service is not listening', async () => {
    const login = await call('POST', '/api/auth/login', { body: { username: 'admin', password: 'admin-password' } });
    expect(login.status).toBe(503);
    const unavailable = { code: 'UNAVAILABLE', requestId: expect.any(String) };
    expect(login.body).toEqual({ ...unavailable, message: 'the auth service is not answering; try again' });
    expect(login.headers.get('retry-after')).toBe('1');
    const list = await call('GET', '/api/rooms');
    expect(list.status).toBe(503);
    expect(list.body).toEqual({ ...unavailable, message: 'the rooms service is not answering; try again' });
    const readiness = await call('GET', '/api/rooms/readyz');
    expect(readiness).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' } });
  });

  it('names only rooms once auth is up, and forwards logins and auth readiness', async () => {
    const auth = await buildAuth(
      authConfigFromEnv({ ...common, DATABASE_URL: database.url, JWT_PRIVATE_KEY: keys.privateKey }),
    );
    services.push(auth);
    auth.addHook('onRequest', async (request) => {
      if (request.url === '/api/auth/readyz') authReadyAsked++;
    });
    await auth.listen({ host: '127.0.0.1', port: authPort });

    const res = await call('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toMatchObject({ nats: { ok: true }, auth: { ok: true }, rooms: { ok: false } });
    expect(res.body.checks.auth.error).toBeUndefined();

    const authReady = await call('GET', '/api/auth/readyz');
    expect(authReady).toMatchObject({ status: 200, body: { status: 'ok', service: 'auth' } });
    await createSuperuser(database.url, 'admin', 'admin-password');
    const login = await call('POST', '/api/auth/login', { body: { username: 'admin', password: 'admin-password' } });
    expect(login.status).toBe(200);
  });

  it('is ready once rooms is up too', async () => {
    const rooms = await buildRooms(roomsConfigFromEnv({ ...common, DATABASE_URL: database.url }));
    services.push(rooms);
    await rooms.listen({ host: '127.0.0.1', port: roomsPort });

    const res = await call('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      service: 'gateway',
      checks: { nats: { ok: true }, auth: { ok: true }, rooms: { ok: true } },
    });
    expect(await call('GET', '/api/rooms/readyz')).toMatchObject({ status: 200, body: { service: 'rooms' } });
  });

  it('is not ready, naming nats, while its nats-server is down, and ready again once it is back', async () => {
    await nats.stop();
    try {
      const res = await getUntil('/readyz', (s) => s === 503);
      expect(res.status).toBe(503);
      expect(res.body.checks.nats).toEqual({ ok: false, ms: expect.any(Number), error: 'not connected to the server' });
      expect(res.body.checks.auth.error).toMatch(/^over NATS: /);
    } finally {
      await nats.restart();
    }
    expect((await getUntil('/readyz', (s) => s === 200)).status).toBe(200);
  });

  it("names a service whose database is gone, and forwards that service's 503 as it is, asking once", async () => {
    const admin = new pg.Client({ connectionString: database.url.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE ${database.name} WITH (FORCE)`);
    await admin.end();

    const res = await call('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toMatchObject({
      nats: { ok: true },
      auth: { ok: false, error: 'not ready (database: failed (3D000))' },
      rooms: { ok: false, error: 'not ready (database: failed (3D000))' },
    });
    const asked = authReadyAsked;
    const authReady = await call('GET', '/api/auth/readyz');
    expect(authReady.status).toBe(503);
    expect(authReady.body).toMatchObject({
      status: 'unavailable',
      service: 'auth',
      checks: { database: { ok: false } },
    });
    expect(authReadyAsked - asked).toBe(1);
  });
});
