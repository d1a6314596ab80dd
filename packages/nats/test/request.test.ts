import { ChatError, ErrorCode, QUEUE_GROUP, compile } from '@chat/protocol';
import { startNatsServer, type NatsServerHandle } from '@chat/test-kit';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, endpoint, type NatsConnection, request, startService } from '../src/index.js';
import { failure } from './expect-failure.js';

let server: NatsServerHandle;
let nc: NatsConnection;
const quiet = { info() {}, warn() {}, error() {} };

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
        echo: endpoint({
          subject: 'echo.say',
          validator: compile(Type.Object({ word: Type.String() })),
          handle: async ({ word }) => ({ word }),
        }),
        refuse: endpoint({
          subject: 'echo.refuse',
          validator: compile(Type.Object({})),
          handle: async () => {
            throw new ChatError(ErrorCode.ROOM_ACCESS_DENIED, 'not for you');
          },
        }),
        crash: endpoint({
          subject: 'echo.crash',
          validator: compile(Type.Object({})),
          handle: async () => {
            throw new Error('secret detail');
          },
        }),
        slow: endpoint({
          subject: 'echo.slow',
          validator: compile(Type.Object({})),
          handle: () => new Promise(() => {}),
        }),
      },
    },
    quiet,
  );
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

describe('request/reply', () => {
  it('answers with the handler result', async () => {
    expect(await request(nc, 'echo.say', { word: 'hi' })).toEqual({ word: 'hi' });
  });

  it('carries a ChatError code from the service to the caller', async () => {
    const err = await failure(request(nc, 'echo.refuse', {}));
    expect(err.code).toBe('ROOM_ACCESS_DENIED');
    expect(err.message).toBe('not for you');
  });

  it('refuses an invalid payload with BAD_REQUEST naming the field', async () => {
    const err = await failure(request(nc, 'echo.say', { word: 7 }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/word/);
  });

  it('hides the details of an unexpected failure', async () => {
    const err = await failure(request(nc, 'echo.crash', {}));
    expect(err.code).toBe('INTERNAL');
    expect(err.message).not.toMatch(/secret/);
  });

  it('turns "no responders" into UNAVAILABLE at once', async () => {
    const started = Date.now();
    const err = await failure(request(nc, 'nobody.home', {}, 5000));
    expect(err.code).toBe('UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('turns a timeout into UNAVAILABLE after the deadline, never a hang', async () => {
    const started = Date.now();
    const err = await failure(request(nc, 'echo.slow', {}, 300));
    expect(err.code).toBe('UNAVAILABLE');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('gives each of many requests in flight its own answer', async () => {
    const words = Array.from({ length: 300 }, (_, i) => `word-${i}`);
    const answers = await Promise.all(words.map((word) => request<{ word: string }>(nc, 'echo.say', { word })));
    expect(answers.map((a) => a.word)).toEqual(words);
  });

  it('fails a request in flight at once when its connection closes', async () => {
    const own = await connectNats({ url: server.url, name: 'closing' });
    const pending = failure(request(own, 'echo.slow', {}, 10_000));
    await new Promise((r) => setTimeout(r, 50));
    await own.close();
    // "could not be reached", not "did not answer in time": it failed on the close, not at its deadline.
    expect(await pending).toMatchObject({ code: 'UNAVAILABLE', message: 'the echo service could not be reached' });
    expect((await failure(request(own, 'echo.say', { word: 'late' }))).code).toBe('UNAVAILABLE');
  });

  it('fails a request at once when its connection is draining as the request leaves', async () => {
    const own = await connectNats({ url: server.url, name: 'draining' });
    const drained = own.drain();
    const err = await failure(request(own, 'echo.say', { word: 'too late' }, 10_000));
    expect(err).toMatchObject({ code: 'UNAVAILABLE', message: 'the echo service could not be reached' });
    await drained;
  });
});
