import { openSocket } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    gatewayEnv: {
      SENDS_PER_SECOND: '5',
      JOINS_PER_SECOND: '5',
      MAX_ROOMS_PER_CONNECTION: '3',
      MAX_CONNECTIONS_PER_USER: '2',
    },
  });
});
afterAll(() => stack?.stop());

const codeOf = (reply: { ok: boolean; error?: { code: string } }) => (reply.ok ? 'ok' : reply.error?.code);

describe('per-connection limits', () => {
  it('a sender past its rate gets RATE_LIMITED, and may send again later', async () => {
    const room = await stack.room('Busy');
    const user = await stack.user();
    const s = await stack.socket(user.token);
    await s.request({ type: 'join', room });
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => s.request({ type: 'send', room, text: `m${i}` })),
    );
    const codes = replies.map(codeOf);
    expect(codes.filter((c) => c === 'ok').length).toBeGreaterThanOrEqual(10);
    expect(codes).toContain('RATE_LIMITED');
    await new Promise((r) => setTimeout(r, 500));
    expect(codeOf(await s.request({ type: 'send', room, text: 'later' }))).toBe('ok');
  });

  it('a socket may be in a bounded number of rooms', async () => {
    const rooms = [await stack.room('R1'), await stack.room('R2'), await stack.room('R3'), await stack.room('R4')];
    const s = await stack.socket((await stack.user()).token);
    const codes = [];
    for (const room of rooms) codes.push(codeOf(await s.request({ type: 'join', room })));
    expect(codes).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED']);
  });

  it('a user may hold a bounded number of connections', async () => {
    const user = await stack.user();
    await stack.socket(user.token);
    await stack.socket(user.token);
    await expect(openSocket(stack.wsUrl, { token: user.token })).rejects.toMatchObject({ status: 429 });
  });
});
