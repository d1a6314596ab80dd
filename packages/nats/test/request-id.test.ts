import { compile, QUEUE_GROUP } from '@chat/protocol';
import { startNatsServer, type NatsServerHandle } from '@chat/test-kit';
import { headers } from '@nats-io/nats-core';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectNats,
  type EndpointLogger,
  endpoint,
  type NatsConnection,
  request,
  startService,
} from '../src/index.js';

let server: NatsServerHandle;
let nc: NatsConnection;
/** What the endpoint saw of each request, and what the service logged, with the bindings of its logger. */
const seen: (string | undefined)[] = [];
const lines: Record<string, unknown>[] = [];

function recorder(bindings: Record<string, unknown> = {}): EndpointLogger {
  const write = (obj: object, msg: string) => lines.push({ ...bindings, ...obj, msg });
  return {
    level: 'debug',
    info: write,
    warn: write,
    error: write,
    debug: write,
    child: (b) => recorder({ ...bindings, ...b }),
  };
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, name: 'test' });
  await startService(
    nc,
    {
      name: 'echo',
      version: '0.0.1',
      description: 'test service',
      queue: QUEUE_GROUP,
      endpoints: {
        whoami: endpoint({
          subject: 'echo.whoami',
          validator: compile(Type.Object({})),
          handle: async (_payload, req) => {
            seen.push(req.id);
            req.log.info({}, 'handled');
            return {};
          },
        }),
      },
    },
    recorder(),
  );
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

describe('a request id', () => {
  it("reaches the endpoint, and every line it logs about the request names it, the service's own line too", async () => {
    await request(nc, 'echo.whoami', {}, 1000, 'gw7-2a');
    expect(seen.at(-1)).toBe('gw7-2a');
    const mine = lines.filter((line) => line.reqId === 'gw7-2a');
    expect(mine.map((line) => line.msg)).toEqual(['handled', expect.stringMatching(/^echo\.whoami ok \d+\.\d ms$/)]);
  });

  it('is absent when the request names none, or names something not shaped as one', async () => {
    await request(nc, 'echo.whoami', {}, 1000);
    expect(seen.at(-1)).toBeUndefined();
    const forged = headers();
    forged.set('Chat-Request-Id', 'x"} {"level":60');
    await nc.request('echo.whoami', '{}', { timeout: 1000, headers: forged });
    expect(seen.at(-1)).toBeUndefined();
  });
});
