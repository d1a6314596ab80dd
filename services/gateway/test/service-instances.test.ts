/**
 * REST through a gateway whose AUTH_URL and ROOMS_URL name two instances each: one rooms instance is never
 * started, and an auth instance goes away midway. Every call is still answered by the instance that is up, a
 * body goes through byte for byte, nothing is carried out twice, and only when no instance answers does the
 * client get 503.
 */
import { authConfigFromEnv, buildApp as buildAuth, createSuperuser } from '@chat/auth';
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp as buildGateway, gatewayConfigFromEnv } from '../src/index.js';

let nats: NatsServerHandle;
let database: TestDatabase;
let gateway: FastifyInstance;
let gatewayUrl: string;
let rooms: FastifyInstance;
const auths: FastifyInstance[] = [];
/** Logins each auth instance answered, by its place in AUTH_URL. */
const loginsServed = [0, 0];
let api: ReturnType<typeof restClient>;
let adminToken: string;

beforeAll(async () => {
  const [natsServer, db, ...ports] = await Promise.all([
    startNatsServer(),
    createTestDatabase(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  [nats, database] = [natsServer, db];
  const [authA, authB, roomsDead, roomsUp] = ports as [number, number, number, number];
  const keys = generateSigningKeys();
  const common = { NODE_ENV: 'test', LOG_LEVEL: 'silent', NATS_URL: nats.url, JWT_PUBLIC_KEY: keys.publicKey };
  for (const [i, port] of [authA, authB].entries()) {
    const auth = await buildAuth(
      authConfigFromEnv({ ...common, DATABASE_URL: database.url, JWT_PRIVATE_KEY: keys.privateKey }),
    );
    auth.addHook('onRequest', async (request) => {
      if (request.url === '/api/auth/login') loginsServed[i] = (loginsServed[i] ?? 0) + 1;
    });
    await auth.listen({ host: '127.0.0.1', port });
    auths.push(auth);
  }
  rooms = await buildRooms(roomsConfigFromEnv({ ...common, DATABASE_URL: database.url }));
  await rooms.listen({ host: '127.0.0.1', port: roomsUp });
  gateway = await buildGateway(
    gatewayConfigFromEnv({
      ...common,
      AUTH_URL: `http://127.0.0.1:${authA},http://127.0.0.1:${authB}`,
      // Blanks around the comma are allowed; the first instance never listens.
      ROOMS_URL: `http://127.0.0.1:${roomsDead} , http://127.0.0.1:${roomsUp}`,
    }),
  );
  gatewayUrl = await gateway.listen({ host: '127.0.0.1', port: 0 });
  api = restClient(gatewayUrl);
  await createSuperuser(database.url, 'admin', 'admin-password');
  adminToken = await api.login('admin', 'admin-password');
});
afterAll(async () => {
  await gateway?.close();
  await rooms?.close();
  for (const auth of auths) await auth.close();
  await nats?.stop();
  await database?.drop();
});

describe('REST over several instances of a service', () => {
  it('is ready while one instance of each service answers', async () => {
    const res = await api.call('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toMatchObject({ auth: { ok: true }, rooms: { ok: true } });
  });

  it('answers every call from the rooms instance that is up, and carries out each POST once', async () => {
    const titles = Array.from({ length: 30 }, (_, i) => `Spread ${i}`);
    for (const title of titles) {
      const created = await api.call('POST', '/api/rooms', { token: adminToken, body: { title } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const list = await api.call('GET', '/api/rooms', { token: adminToken });
      expect(list.status).toBe(200);
    }
    const list = await api.call('GET', '/api/rooms', { token: adminToken });
    const listed = list.body
      .map((room: { title: string }) => room.title)
      .filter((t: string) => t.startsWith('Spread '));
    expect(listed.sort()).toEqual([...titles].sort());
    expect((await api.call('GET', '/api/openapi.json')).status).toBe(200);
  });

  it('passes a body on as it was sent: its type and charset, and its bytes', async () => {
    const res = await fetch(`${gatewayUrl}/api/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json; charset=utf-8' },
      body: '{"title":"Café ☕ 東京"}',
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { title: string }).title).toBe('Café ☕ 東京');
    // A broken body is the service's to refuse, as a bad request, not the gateway's to mangle.
    const broken = await fetch(`${gatewayUrl}/api/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: '{"title":',
    });
    expect(broken.status).toBe(400);
  });

  it('spreads logins over both auth instances, and sends them all to the other once one stops', async () => {
    for (let i = 0; i < 20; i++) await api.login('admin', 'admin-password');
    expect(
      loginsServed.every((n) => n > 0),
      `logins per instance: ${loginsServed}`,
    ).toBe(true);

    await auths[0]?.close();
    const before = [...loginsServed];
    for (let i = 0; i < 20; i++) {
      const res = await api.call('POST', '/api/auth/login', {
        body: { username: 'admin', password: 'admin-password' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    expect(loginsServed[0]).toBe(before[0]);
    expect((loginsServed[1] ?? 0) - (before[1] ?? 0)).toBe(20);
  });

  it('answers 503 once no instance answers, and /readyz names each instance by its place', async () => {
    await rooms.close();
    const list = await api.call('GET', '/api/rooms', { token: adminToken });
    expect(list.status).toBe(503);
    expect(list.body).toMatchObject({ code: 'UNAVAILABLE', message: 'the rooms service is not answering; try again' });
    const ready = await api.call('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.rooms.error).toBe(
      'over NATS: the rooms service is not running; over HTTP: instance 1: no answer (ECONNREFUSED), instance 2: no answer (ECONNREFUSED)',
    );
  });
});
