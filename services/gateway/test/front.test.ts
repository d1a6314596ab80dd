/**
 * Two gateways behind the front (deploy/front/nginx.conf, the compose stack's own file, run by Debian's nginx on
 * loopback): everything a browser does goes through the front, and nothing internal comes out of it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServiceProcess, Stack } from '@chat/stack';
import { createTestDatabase, generateSigningKeys, openSocket, restClient, type TestDatabase } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from './replies.js';

let database: TestDatabase;
let stack: Stack;
let front: ReturnType<typeof restClient>;
let adminToken: string;
let webRoot: string;

/**
 * A web client of a page, a script, a stylesheet and a source map: served by the gateways and the front alike, and
 * here whether or not web/ has been built yet (turbo builds it beside these tests, not before them).
 */
function makeWebRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'chat-front-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(
    join(root, 'index.html'),
    '<!doctype html><link rel="stylesheet" href="/assets/index-1a2b.css"><script type="module" src="/assets/index-3c4d.js"></script>',
  );
  writeFileSync(join(root, 'assets', 'index-3c4d.js'), 'console.log("chat");\n');
  writeFileSync(join(root, 'assets', 'index-3c4d.js.map'), '{"version":3}');
  writeFileSync(join(root, 'assets', 'index-1a2b.css'), 'body { margin: 0 }\n');
  return root;
}

beforeAll(async () => {
  webRoot = makeWebRoot();
  database = await createTestDatabase('chat_front');
  const keys = generateSigningKeys();
  stack = await Stack.start({
    database: { url: database.url },
    logs: 'memory',
    gateways: 2,
    front: { webRoot },
    env: { NODE_ENV: 'test', LOG_LEVEL: 'info', JWT_PUBLIC_KEY: keys.publicKey },
    authEnv: { JWT_PRIVATE_KEY: keys.privateKey },
    // At debug rooms logs each request with its client address: what the gateway worked out and passed on.
    roomsEnv: { LOG_LEVEL: 'debug' },
    // The front's address only, as in the compose stack.
    gatewayEnv: { TRUST_PROXY: '127.0.0.1', WEB_ROOT: webRoot },
  });
  front = restClient(stack.front.url);
  await stack.createSuperuser('admin', 'admin-password');
  adminToken = await front.login('admin', 'admin-password');
});

afterAll(async () => {
  await stack?.stop();
  await database?.drop();
  rmSync(webRoot, { recursive: true, force: true });
});

/** The headers a browser acts on for a file: caching, type and every security header. */
const FILE_HEADERS = [
  'cache-control',
  'content-type',
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

async function fileHeaders(url: string) {
  const res = await fetch(url);
  const body = await res.text();
  return { status: res.status, body, headers: Object.fromEntries(FILE_HEADERS.map((h) => [h, res.headers.get(h)])) };
}

async function gatewaySockets(): Promise<number[]> {
  return Promise.all(
    stack.gateways.map(async (gateway) => {
      const health = (await (await fetch(`${gateway.url}/healthz`)).json()) as { stats: { sockets: number } };
      return health.stats.sockets;
    }),
  );
}

describe('the front', () => {
  it("serves the web client and its files with the gateway's cache and security headers", async () => {
    const page = await fileHeaders(`${stack.front.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers).toEqual((await fileHeaders(`${stack.gatewayUrl}/`)).headers);

    const assets = [...page.body.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(assets).toHaveLength(2);
    for (const asset of assets) {
      const file = await fileHeaders(stack.front.url + asset);
      expect(file.status).toBe(200);
      const fromGateway = await fileHeaders(stack.gatewayUrl + asset);
      expect({ asset, status: file.status, headers: file.headers }).toEqual({
        asset,
        status: fromGateway.status,
        headers: fromGateway.headers,
      });
    }
    const sourceMap = '/assets/index-3c4d.js.map';
    expect((await fileHeaders(stack.gatewayUrl + sourceMap)).status).toBe(404);
    expect((await fileHeaders(stack.front.url + sourceMap)).status).toBe(404);
  });

  it('logs in, and a socket opened with the session cookie from its origin joins a room and chats', async () => {
    const room = (await front.call('POST', '/api/rooms', { token: adminToken, body: { title: 'Front door' } })).body
      .id as string;
    const login = await fetch(`${stack.front.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin-password' }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const wsUrl = `${stack.front.url.replace('http', 'ws')}/ws`;
    const socket = await openSocket(wsUrl, { cookie, origin: stack.front.url });
    const listener = await openSocket(wsUrl, { token: adminToken });
    try {
      ok(await socket.request({ type: 'join', room }));
      ok(await listener.request({ type: 'join', room }));
      ok(await socket.request({ type: 'send', room, text: 'through the front' }));
      await listener.waitFor((f) => f.type === 'message' && f.message.text === 'through the front');
    } finally {
      await Promise.all([socket.close(), listener.close()]);
    }
  });

  it('spreads sockets over both gateways', async () => {
    // The sockets of the tests before are closed; their gateways may take a moment to count them out.
    await expect.poll(gatewaySockets).toEqual([0, 0]);
    const sockets = [];
    for (let i = 0; i < 4; i++)
      sockets.push(await openSocket(`${stack.front.url.replace('http', 'ws')}/ws`, { token: adminToken }));
    try {
      const counts = await gatewaySockets();
      expect(counts.reduce((a, b) => a + b)).toBe(4);
      for (const count of counts) expect(count).toBeGreaterThan(0);
    } finally {
      await Promise.all(sockets.map((s) => s.close()));
    }
  });

  it("passes on the client's address, not one the client wrote", async () => {
    // From 127.0.0.7, so the address rooms logs can only have come from the front's X-Forwarded-For, believed by
    // the gateway (which trusts the front) and passed on as the one address it worked out.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${stack.front.url}/api/rooms`, {
        localAddress: '127.0.0.7',
        headers: { authorization: `Bearer ${adminToken}`, 'x-forwarded-for': '203.0.113.9' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    const rooms = stack.rooms[0] as ServiceProcess;
    // The line is written as the answer leaves; it reaches the launcher's pipe a moment later.
    const clientOfTheList = () =>
      rooms
        .logRecords()
        .map((record) => record.req as { method?: string; url?: string; remoteAddress?: string } | undefined)
        .find((req) => req?.method === 'GET' && req.url === '/api/rooms')?.remoteAddress;
    await expect.poll(clientOfTheList, { timeout: 5000 }).toBe('127.0.0.7');
    expect(rooms.logs()).not.toContain('203.0.113.9');
  });

  it('does not forward metrics, health, readiness or the services’ own reports', async () => {
    expect((await fetch(`${stack.gatewayUrl}/readyz`)).status).toBe(200);
    for (const path of [
      '/metrics',
      '/healthz',
      '/readyz',
      '/api/auth/readyz',
      '/api/rooms/health',
      '/api/auth/metrics',
    ]) {
      const res = await fetch(stack.front.url + path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
  });

  // Last: it stops the gateways.
  it('answers UNAVAILABLE with Retry-After when no gateway answers', async () => {
    await Promise.all(stack.gateways.map((g) => g.stop()));
    const res = await front.call('GET', '/api/rooms', { token: adminToken });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body.code).toBe('UNAVAILABLE');
  });
});
