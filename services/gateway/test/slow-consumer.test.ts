import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ gatewayEnv: { SEND_BUFFER_LIMIT_BYTES: String(256 * 1024), SENDS_PER_SECOND: '100000' } });
});
afterAll(() => stack?.stop());

describe('a slow consumer', () => {
  it('is disconnected once its send buffer passes the bound; the others get every message', async () => {
    const room = await stack.room('Firehose');
    const sleeper = await stack.socket((await stack.user()).token);
    const reader = await stack.socket((await stack.user()).token);
    const writer = await stack.socket((await stack.user()).token);
    for (const s of [sleeper, reader, writer]) await s.request({ type: 'join', room });
    // Stop reading: first the kernel's buffers fill, then the gateway's send buffer for this socket grows.
    sleeper.tcp?.pause();
    const socketsOpen = async () => (await stack.call('GET', '/healthz')).body.stats.sockets as number;
    expect(await socketsOpen()).toBe(3);
    let sleeperGone = false;

    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const text = 'x'.repeat(3900);
    let sent = 0;
    for (let round = 0; round < 200 && !sleeperGone; round++) {
      await Promise.all(
        Array.from({ length: 25 }, (_, i) => writer.request({ type: 'send', room, text: `${round}.${i} ${text}` })),
      );
      sent += 25;
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      sleeperGone = (await socketsOpen()) === 2;
    }
    sleeper.tcp?.resume();
    expect(sleeperGone).toBe(true);
    expect((await sleeper.closed).code).toBe(1006);

    const countMessages = () => reader.frames.filter((f) => f.type === 'message').length;
    await reader.waitFor(() => countMessages() >= sent, 10_000);
    expect(countMessages()).toBe(sent);
    expect(reader.ws.readyState).toBe(reader.ws.OPEN);
    const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
    // The whole stack runs in this process, so this bounds the gateway's growth from above.
    console.log(
      `[reliability] slow consumer: ${JSON.stringify({ bytesSentBeforeDrop: sent * 3900, bufferLimitBytes: 256 * 1024, rssGrowthMiB: mib(rssPeak - rssBefore), otherClientMessages: sent })}`,
    );
  });
});
