/** Stopping a service (a rolling restart): requests already being answered still get their answers. */
import { compile, QUEUE_GROUP } from '@chat/protocol';
import { type NatsServerHandle, startNatsServer } from '@chat/test-kit';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, endpoint, type NatsConnection, request, startService } from '../src/index.js';

let server: NatsServerHandle;
let client: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  client = await connectNats({ url: server.url, name: 'client' });
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
});

/** A service whose one endpoint answers `{waited: ms}` after `ms` (never, for -1); `started` once it runs. */
async function slowService(stopWaitMs?: number) {
  const nc = await connectNats({ url: server.url, name: 'slow-service' });
  const warnings: string[] = [];
  const logger = { info() {}, warn: (_: object, msg: string) => warnings.push(msg), error() {} };
  let started!: () => void;
  const handlerStarted = new Promise<void>((resolve) => {
    started = resolve;
  });
  const running = await startService(
    nc,
    {
      name: 'slow',
      version: '0.0.1',
      description: 'answers after a while',
      queue: QUEUE_GROUP,
      endpoints: {
        wait: endpoint({
          subject: 'slow.wait',
          validator: compile(Type.Object({ ms: Type.Integer() })),
          handle: async ({ ms }) => {
            started();
            await new Promise((resolve) => (ms < 0 ? undefined : setTimeout(resolve, ms)));
            return { waited: ms };
          },
        }),
      },
    },
    logger,
    { stopWaitMs },
  );
  await nc.flush(); // the endpoint's subscription is in place at the server before anyone asks
  return { nc, running, handlerStarted, warnings };
}

describe('stopping a service', () => {
  it('answers the requests under way before it returns, then takes no more', async () => {
    const { nc, running, handlerStarted } = await slowService();
    const answer = request(client, 'slow.wait', { ms: 300 }, 5000);
    await handlerStarted;
    // As the services' shutdown does: stop, then drain the connection.
    await running.stop();
    await nc.drain();
    expect(await answer).toEqual({ waited: 300 });
    const late = await request(client, 'slow.wait', { ms: 1 }, 1000).catch((err: unknown) => err);
    expect(late).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('gives up on an answer that never comes after its bound, and says so', async () => {
    const { nc, running, handlerStarted, warnings } = await slowService(200);
    const answer = request(client, 'slow.wait', { ms: -1 }, 1500).catch((err: unknown) => err);
    await handlerStarted;
    const started = Date.now();
    await running.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(warnings).toEqual(['stopped with requests still being answered']);
    await nc.close();
    expect(await answer).toMatchObject({ code: 'UNAVAILABLE' });
  });
});
