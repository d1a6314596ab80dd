/**
 * CLIENT_WRITE_GATHER_MS on: a busy room's frames wait to leave together, and still every member gets every
 * message once, in order, and every sender its answers.
 */
import type { MessageEvent, ServerFrame } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ gatewayEnv: { CLIENT_WRITE_GATHER_MS: '30', SENDS_PER_SECOND: '1000' } });
});
afterAll(() => stack?.stop());

const seqsIn = (frames: ServerFrame[], room: string) =>
  frames.filter((f): f is MessageEvent => f.type === 'message' && f.room === room).map((m) => m.message.seq);

describe('gathered writes to clients', () => {
  it('deliver every message of a burst to every member, once and in order, and answer every send', async () => {
    const room = await stack.room('Burst');
    const members = await Promise.all(Array.from({ length: 6 }, async () => stack.socket((await stack.user()).token)));
    for (const member of members) expect((await member.request({ type: 'join', room })).ok).toBe(true);

    const writers = members.slice(0, 3);
    const replies = await Promise.all(
      writers.flatMap((writer, w) =>
        Array.from({ length: 40 }, (_, i) => writer.request({ type: 'send', room, text: `${w}.${i}` })),
      ),
    );
    expect(replies.filter((r) => !r.ok)).toEqual([]);

    const last = Math.max(...replies.map((r) => (r.data as { seq: number }).seq));
    const all = Array.from({ length: 120 }, (_, i) => last - 119 + i);
    for (const member of members) {
      await member.waitFor((f) => f.type === 'message' && f.room === room && f.message.seq === last);
      expect(seqsIn(member.frames, room)).toEqual(all);
    }
  });
});
