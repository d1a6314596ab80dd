import { ChatError, ErrorCode, isRequestId } from '@chat/protocol';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { exposeRequestIds, installErrorHandler, newRequestId, serviceFastifyOptions } from '../src/index.js';

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function service(requestIdsFromGateway: boolean) {
  const app = Fastify(serviceFastifyOptions('demo', 'silent', 'loopback', { requestIdsFromGateway }));
  apps.push(app);
  installErrorHandler(app);
  exposeRequestIds(app);
  app.get('/id', async (request) => ({ id: request.id }));
  app.get('/refuse', async () => {
    throw new ChatError(ErrorCode.FORBIDDEN, 'not you');
  });
  await app.ready();
  return app;
}

describe('request ids', () => {
  it('are new for every request, unique, and shaped as the protocol says', () => {
    const ids = Array.from({ length: 1000 }, () => newRequestId());
    expect(new Set(ids).size).toBe(1000);
    expect(ids.every(isRequestId)).toBe(true);
  });

  it('at the gateway, are its own, whatever id the client sends', async () => {
    const app = await service(false);
    const res = await app.inject({ url: '/id', headers: { 'x-request-id': 'chosen-by-client' } });
    const { id } = res.json();
    expect(id).not.toBe('chosen-by-client');
    expect(isRequestId(id)).toBe(true);
    expect(res.headers['x-request-id']).toBe(id);
  });

  it("behind the gateway, are the gateway's, unless what came is not shaped as an id", async () => {
    const app = await service(true);
    const forwarded = await app.inject({ url: '/id', headers: { 'x-request-id': 'k3j9x0a2q-1f' } });
    expect(forwarded.json()).toEqual({ id: 'k3j9x0a2q-1f' });
    expect(forwarded.headers['x-request-id']).toBe('k3j9x0a2q-1f');

    const forged = await app.inject({ url: '/id', headers: { 'x-request-id': 'evil\nlevel=50 msg="fake line"' } });
    expect(forged.json().id).toMatch(/^[0-9a-z]+-[0-9a-z]+$/);
  });

  it('are in every error body, as in the response header', async () => {
    const app = await service(false);
    for (const url of ['/refuse', '/nowhere']) {
      const res = await app.inject({ url });
      expect(res.json().requestId).toBe(res.headers['x-request-id']);
      expect(isRequestId(res.json().requestId)).toBe(true);
    }
  });
});
