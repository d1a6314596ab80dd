/**
 * The browser-facing headers on a real gateway: on the web client, its files, /api (answered by the gateway and
 * forwarded from a service), /ws without an upgrade and a miss; and no source map served, even one in WEB_ROOT.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawResponse, Stack } from '../stack.js';
import { startStack } from '../stack.js';

let stack: Stack;
let webRoot: string;
const script = 'console.log("the client");\n//# sourceMappingURL=app.js.map\n';
const sourceMap = '{"version":3,"sources":["../src/secret-plans.ts"],"mappings":""}';

beforeAll(async () => {
  // A built client as vite lays it out, with a source map a build made with sourcemap: true would leave.
  webRoot = await mkdtemp(join(tmpdir(), 'chat-web-'));
  await mkdir(join(webRoot, 'assets'));
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><script type="module" src="/assets/app.js"></script>');
  await writeFile(join(webRoot, 'assets', 'app.js'), script);
  await writeFile(join(webRoot, 'assets', 'app.js.map'), sourceMap);
  await writeFile(join(webRoot, 'assets', 'app.css'), 'body { margin: 0 }');
  stack = await startStack({ gatewayEnv: { WEB_ROOT: webRoot } });
});
afterAll(async () => {
  await stack?.stop();
  if (webRoot) await rm(webRoot, { recursive: true, force: true });
});

/** The CSP as a map from directive to its sources. */
function cspOf(res: RawResponse): Map<string, string[]> {
  const header = res.headers['content-security-policy'];
  expect(typeof header, 'a Content-Security-Policy header').toBe('string');
  return new Map(
    String(header)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name as string, sources]),
  );
}

function expectSecurityHeaders(res: RawResponse) {
  const csp = cspOf(res);
  expect(csp.get('default-src')).toEqual(["'self'"]);
  // Only the client's own files: no inline script or style, no other host.
  expect(csp.get('script-src')).toEqual(["'self'"]);
  expect(csp.get('style-src')).toEqual(["'self'"]);
  // The page's own origin, and its socket spelled out for browsers that do not count ws: as 'self'.
  expect(csp.get('connect-src')).toEqual(["'self'", 'ws://chat.test']);
  expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  expect(csp.get('object-src')).toEqual(["'none'"]);
  expect(csp.has('upgrade-insecure-requests')).toBe(false);
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  // Left to the proxy that ends TLS (security-headers.ts says why).
  expect(res.headers['strict-transport-security']).toBeUndefined();
}

describe('security headers', () => {
  it('come with the web client at /', async () => {
    const res = await stack.raw('GET', '/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('/assets/app.js');
    expectSecurityHeaders(res);
  });

  it('come with the client’s script and stylesheet', async () => {
    for (const path of ['/assets/app.js', '/assets/app.css']) {
      const res = await stack.raw('GET', path);
      expect(res.status, path).toBe(200);
      expectSecurityHeaders(res);
    }
  });

  it('come with /api answers forwarded from a service, refusals included', async () => {
    const rooms = await stack.raw('GET', '/api/rooms', { headers: { authorization: `Bearer ${stack.adminToken}` } });
    expect(rooms.status).toBe(200);
    expectSecurityHeaders(rooms);
    const anonymous = await stack.raw('GET', '/api/rooms');
    expect(anonymous.status).toBe(401);
    expectSecurityHeaders(anonymous);
  });

  it('come with /ws asked without an upgrade, and with a path that does not exist', async () => {
    const ws = await stack.raw('GET', '/ws');
    expect(ws.status).toBeGreaterThanOrEqual(400);
    expectSecurityHeaders(ws);
    const missing = await stack.raw('GET', '/no-such-page');
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing);
  });
});

describe('source maps', () => {
  it('are not served, even when the web root has one', async () => {
    for (const path of ['/assets/app.js.map', '/assets/./app.js.map', '/assets/app.js%2Emap']) {
      const res = await stack.raw('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.text, path).not.toContain('secret-plans');
    }
  });
});
