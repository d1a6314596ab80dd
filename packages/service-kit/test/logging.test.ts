import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { type LogDestination, loggerOptions, serviceFastifyOptions } from '../src/index.js';

/** What a service wrote, as a terminal (isTTY) or a pipe would receive it. */
function sink(isTTY: boolean): LogDestination & { text(): string } {
  let written = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      written += chunk.toString();
      done();
    },
  });
  return Object.assign(stream, { isTTY, text: () => written });
}

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function service(level: string, out: LogDestination) {
  const app = Fastify({
    ...serviceFastifyOptions('demo', level, 'loopback'),
    logger: loggerOptions(level, 'demo', out),
  });
  apps.push(app);
  app.get('/hello', async (request) => {
    request.log.info({ password: 'hunter2-secret' }, 'hello handled');
    return { ok: true };
  });
  await app.ready();
  await app.inject({ method: 'GET', url: '/hello' });
  await app.inject({ method: 'GET', url: '/hello?again=1' });
  await sleep(20); // the pretty printer is a stream transform: let it flush
  return out;
}

/** A service's own request id: its process prefix and a counter, both base 36. */
const REQUEST_ID = /^[0-9a-z]+-[0-9a-z]+$/;

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('service logs', () => {
  it('at info, write no line per request, and what a request logs carries its id', async () => {
    const lines = jsonLines((await service('info', sink(false))).text());
    expect(lines.map((l) => l.msg)).toEqual(['hello handled', 'hello handled']);
    // Request ids are made per process (request-id.ts): two requests, two ids of that shape.
    const [first, second] = lines.map((l) => l.reqId);
    expect(first).toMatch(REQUEST_ID);
    expect(second).toMatch(REQUEST_ID);
    expect(first).not.toBe(second);
    expect(lines[0]).toMatchObject({ service: 'demo', level: 30, password: '[redacted]' });
  });

  it('at debug, write one line per request with method, path, status and time, and its id', async () => {
    const lines = jsonLines((await service('debug', sink(false))).text());
    const requests = lines.filter((l) => l.msg !== 'hello handled');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      level: 20,
      service: 'demo',
      reqId: expect.stringMatching(REQUEST_ID),
      req: { method: 'GET', url: '/hello' },
      res: { statusCode: 200 },
    });
    expect(requests[0]?.msg).toMatch(/^GET \/hello 200 \d+\.\d ms$/);
    expect(requests[1]).toMatchObject({ reqId: expect.stringMatching(REQUEST_ID), req: { url: '/hello?again=1' } });
    expect(requests[1]?.reqId).not.toBe(requests[0]?.reqId);
    expect(requests[0]?.responseTime).toEqual(expect.any(Number));
  });

  it('on a terminal, write readable lines, not JSON, each naming the service and the request', async () => {
    const text = stripVTControlCharacters((await service('debug', sink(true))).text());
    const lines = text.split('\n').filter(Boolean);
    expect(lines.some((l) => l.startsWith('{'))).toBe(false);
    expect(lines.find((l) => l.includes('hello handled'))).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: demo \([0-9a-z]+-[0-9a-z]+\): hello handled$/,
    );
    // The request's own line stands alone: its fields are in the message, not printed below it.
    const request = lines.findIndex((l) => /DEBUG: demo \([0-9a-z]+-[0-9a-z]+\): GET \/hello 200 \d+\.\d ms$/.test(l));
    expect(request).toBeGreaterThanOrEqual(0);
    expect(lines[request + 1]).toMatch(/^\[/);
    expect(text).toContain('password: "[redacted]"');
    expect(text).not.toContain('hunter2-secret');
  });
});
