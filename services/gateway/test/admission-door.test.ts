/** A crowd at the door of a real gateway: everyone gets in or is told to come back, nobody hangs. */
import { HandshakeRefused, openSocket, type TestSocket } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  // One handshake at a time and nobody waiting: whoever knocks while another is checked is turned away.
  stack = await startStack({
    gatewayEnv: { HANDSHAKES_CONCURRENT: '1', ADMISSION_MAX_JOINS: '1', HANDSHAKE_QUEUE_MAX: '0' },
  });
});
afterAll(() => stack?.stop());

/** Opens a socket as a client does: a 503 is retried after a pause, for a few seconds at most. */
async function openRetrying(token: string): Promise<TestSocket> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await openSocket(stack.wsUrl, { token });
    } catch (err) {
      if (!(err instanceof HandshakeRefused && err.status === 503) || attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('admission at the door', () => {
  it('turns away those it cannot take now with 503 and Retry-After, and lets the rest in to chat', async () => {
    const room = await stack.room('Doorway');
    const users = await Promise.all(Array.from({ length: 20 }, () => stack.user()));
    const outcomes = await Promise.all(
      users.map((u) =>
        openSocket(stack.wsUrl, { token: u.token }).then(
          (socket): TestSocket | HandshakeRefused => socket,
          (err: unknown) => {
            if (err instanceof HandshakeRefused) return err;
            throw err;
          },
        ),
      ),
    );
    const refused = outcomes.filter((o): o is HandshakeRefused => o instanceof HandshakeRefused);
    const opened = outcomes.filter((o): o is TestSocket => !(o instanceof HandshakeRefused));
    expect(refused.length).toBeGreaterThan(0);
    expect(opened.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.status).toBe(503);
      expect(r.retryAfter).toBe('1');
      // Turned away before Fastify saw it, and still told its request id.
      expect(JSON.parse(r.body)).toMatchObject({
        code: 'UNAVAILABLE',
        requestId: expect.stringMatching(/^[0-9a-z]+-[0-9a-z]+$/),
      });
    }
    for (const socket of opened) expect((await socket.request({ type: 'join', room })).ok).toBe(true);

    // Those turned away come back, one after another as clients retrying would, and get in.
    const again: TestSocket[] = [];
    for (const u of users.slice(0, refused.length)) again.push(await openRetrying(u.token));
    await Promise.all([...opened, ...again].map((s) => s.close()));
  });

  it('shows its state on /healthz', async () => {
    const health = await stack.call('GET', '/healthz');
    expect(health.body.stats.admission).toMatchObject({ checking: 0, waiting: 0, joinsUnderWay: 0 });
  });
});
