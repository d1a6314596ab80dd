/**
 * Malformed and unusual Content-Type headers on /api, through the gateway and on each service's own port: each
 * is the client's mistake, so it gets a 4xx with the usual {code, message} body, never a 500 and never a line
 * at error level in any service's log.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawHttp, type Stack, startStack } from '../stack.js';

let stack: Stack;
let errorLines: string[];
beforeAll(async () => {
  stack = await startStack();
  errorLines = watchErrorLogs(Object.values(stack.apps));
});
beforeEach(() => {
  errorLines.length = 0;
});
afterAll(() => stack?.stop());

/**
 * Collects the log lines at error level or above of these apps. Fastify's pino writes straight to file
 * descriptor 1, past anything a test could spy on, so the one stream every child logger of an app shares is
 * wrapped (pino keeps it under a symbol it does not export).
 */
function watchErrorLogs(apps: FastifyInstance[]): string[] {
  const lines: string[] = [];
  for (const app of apps) {
    const stream = pinoStream(app.log);
    const write = stream.write.bind(stream);
    stream.write = (line: string) => {
      if ((JSON.parse(line) as { level: number }).level >= 50) lines.push(line);
      return write(line);
    };
  }
  return lines;
}

function pinoStream(logger: object): { write(line: string): boolean } {
  for (let o: object | null = logger; o; o = Object.getPrototypeOf(o)) {
    const key = Object.getOwnPropertySymbols(o).find((s) => s.description === 'pino.stream');
    if (key) return (o as Record<symbol, { write(line: string): boolean }>)[key];
  }
  throw new Error('no pino stream on this logger');
}

const body = JSON.stringify({ username: 'nobody', password: 'wrong-password', title: 'x' });
const contentTypes: [string, string][] = [
  ['a second type after a semicolon', 'text/plain;application/json'],
  ['a parameter without a value', 'application/json; charset'],
  ['an unterminated quoted parameter', 'application/json; charset="utf-8'],
  ['two types', 'application/json, text/plain'],
  ['no subtype', 'application'],
  ['only a semicolon', ';'],
  ['empty', ''],
  ['a bogus charset', 'application/json; charset=bogus'],
  ['multipart without a boundary', 'multipart/form-data'],
  ['a type no route reads', 'application/xml'],
  ['an 8 kB header', `application/json; x=${'a'.repeat(8 * 1024)}`],
  ['a 20 kB header (past Node’s header limit)', `application/json; x=${'a'.repeat(20 * 1024)}`],
];

/** The places a client can reach: the gateway's /api and each service's own port, with a route that reads a body. */
function targets(): [string, string, string][] {
  const own = (app: FastifyInstance) => {
    const address = app.server.address();
    if (!address || typeof address !== 'object') throw new Error('not listening');
    return `http://127.0.0.1:${address.port}`;
  };
  return [
    ['the gateway', stack.base, '/api/auth/login'],
    ['the gateway', stack.base, '/api/rooms'],
    ['auth', own(stack.apps.auth), '/api/auth/login'],
    ['rooms', own(stack.apps.rooms), '/api/rooms'],
  ];
}

describe('a malformed or unusual Content-Type', () => {
  it.each(contentTypes)('%s gets a 4xx with an error body everywhere, never a 500', async (_name, contentType) => {
    for (const [where, base, path] of targets()) {
      const res = await rawHttp(base, 'POST', path, { headers: { 'content-type': contentType }, body });
      const seen = `${where} POST ${path}: ${res.status} ${res.text.slice(0, 200)}`;
      expect(res.status, seen).toBeGreaterThanOrEqual(400);
      expect(res.status, seen).toBeLessThan(500);
      // Node itself answers a header past its limit, before Fastify sees the request: no body of ours then.
      if (res.status !== 431)
        expect(res.json, seen).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect(errorLines).toEqual([]);
  });

  it('that reply-from could not parse is a BAD_REQUEST at the gateway, not the INTERNAL it was', async () => {
    const res = await stack.raw('POST', '/api/auth/login', {
      headers: { 'content-type': 'text/plain;application/json' },
      body,
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/Content-Type/),
      requestId: expect.any(String),
    });
  });

  it('does not stop a well-formed one with parameters from reaching the service', async () => {
    const res = await stack.raw('POST', '/api/auth/login', {
      headers: { 'content-type': 'application/json; charset="utf-8"' },
      body: JSON.stringify({ username: 'nobody', password: 'wrong-password' }),
    });
    expect(res.status).toBe(401);
    expect(res.json?.code).toBe('UNAUTHORIZED');
  });
});
