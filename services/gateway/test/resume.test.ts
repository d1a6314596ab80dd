/**
 * Rejoining by seq over a real socket: a client that comes back with `since` and `epoch` gets exactly what it
 * missed in the join reply, then the room's live messages, each once; a client of a re-created room gets a reset
 * with none of the old room's messages; a malformed position is refused.
 */
import type { ChatMessage, JoinResult, MessageEvent } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, ok } from './replies.js';
import { type Stack, startStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function sendMany(socket: Awaited<ReturnType<Stack['socket']>>, room: string, count: number, label: string) {
  const sent: ChatMessage[] = [];
  for (let i = 0; i < count; i++) sent.push(ok(await socket.request({ type: 'send', room, text: `${label} ${i}` })));
  return sent;
}

describe('rejoining a room with since and epoch', () => {
  it('fills in exactly the 100 messages sent while the socket was gone, then live ones, each once', async () => {
    const room = await stack.room('Comeback');
    const [alice, bob] = [await stack.user(), await stack.user()];
    const talker = await stack.socket(bob.token);
    ok(await talker.request({ type: 'join', room }));
    await sendMany(talker, room, 5, 'seen');

    const first = await stack.socket(alice.token);
    const joined = ok<JoinResult>(await first.request({ type: 'join', room }));
    const since = joined.messages.at(-1)?.seq ?? 0;
    await first.close();

    const missed = await sendMany(talker, room, 100, 'missed');
    const again = await stack.socket(alice.token);
    const rejoined = ok<JoinResult>(await again.request({ type: 'join', room, since, epoch: joined.room.epoch }));
    expect(rejoined.reset).toBe(false);
    expect(rejoined.messages.map((m) => m.seq)).toEqual(range(since + 1, since + 100));
    expect(rejoined.messages.map((m) => m.text)).toEqual(missed.map((m) => m.text));

    ok(await talker.request({ type: 'send', room, text: 'live' }));
    await again.waitFor((f) => f.type === 'message' && f.message.text === 'live');
    const live = again.frames.filter((f): f is MessageEvent => f.type === 'message' && f.room === room);
    // Nothing of the reply comes again as an event.
    expect(live.map((f) => f.message.seq)).toEqual([since + 101]);
  });

  it('resets a client of a room deleted and created again, with none of the old room’s messages', async () => {
    const room = await stack.room('Phoenix');
    const alice = await stack.user();
    const socket = await stack.socket(alice.token);
    const joined = ok<JoinResult>(await socket.request({ type: 'join', room }));
    await sendMany(socket, room, 10, 'old');

    expect((await stack.call('DELETE', `/api/rooms/${room}`, { token: stack.adminToken })).status).toBe(204);
    await socket.waitFor((f) => f.type === 'removed' && f.room === room);
    expect(await stack.room('Phoenix')).toBe(room);
    const other = await stack.socket((await stack.user()).token);
    ok(await other.request({ type: 'join', room }));
    await sendMany(other, room, 12, 'new');

    const rejoined = ok<JoinResult>(await socket.request({ type: 'join', room, since: 10, epoch: joined.room.epoch }));
    expect(rejoined.reset).toBe(true);
    expect(rejoined.room.epoch).not.toBe(joined.room.epoch);
    expect(rejoined.messages.map((m) => m.text)).toEqual(range(0, 11).map((i) => `new ${i}`));
  });

  it('refuses a malformed since or epoch with BAD_REQUEST, and still joins afterwards', async () => {
    const room = await stack.room('Strict Resume');
    const socket = await stack.socket((await stack.user()).token);
    const bad: Record<string, unknown>[] = [
      { since: -1, epoch: 1 },
      { since: 1.5, epoch: 1 },
      { since: '3', epoch: 1 },
      { since: null, epoch: 1 },
      { since: Number.MAX_SAFE_INTEGER + 2, epoch: 1 },
      { since: 3, epoch: 0 },
      { since: 3, epoch: -4 },
      { since: 3, epoch: 2.5 },
      { since: 3, epoch: '1' },
      { epoch: 1 },
    ];
    for (const position of bad) {
      const reply = await socket.request({ type: 'join', room, ...position });
      expect(errorCode(reply), JSON.stringify(position)).toBe('BAD_REQUEST');
    }
    const joined = ok<JoinResult>(await socket.request({ type: 'join', room, since: 0 }));
    // A seq with no epoch cannot be placed in any incarnation: an empty room's reset is simply its start.
    expect(joined).toMatchObject({ messages: [], reset: true });
  });
});
