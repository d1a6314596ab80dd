/** Typing notices across two gateways (processes): passed on to the others, throttled, never to the typist. */
import type { ServerFrame, TypingEvent } from '@chat/protocol';
import type { TestSocket } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultStack, printLogsOnFailure, startFaultStack } from './faults/harness.js';
import { errorCode, ok } from './replies.js';

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack({ gateways: 2 });
}, 60_000);
afterAll(() => stack?.stop(), 60_000);
printLogsOnFailure(() => stack?.logs());

const typingOf = (socket: TestSocket) => socket.frames.filter((f): f is TypingEvent => f.type === 'typing');
const isTyping = (stop: boolean) => (f: ServerFrame) => f.type === 'typing' && (f.stop === true) === stop;

describe('typing', () => {
  it("reaches the others on another gateway once per burst, never the typist's own sockets", async () => {
    const [one, two] = stack.processes.gateways;
    const room = await stack.room('Typing room');
    const [alice, bob] = await stack.users(2);
    // Two tabs of alice on one gateway: the throttle holds across them.
    const tabs = [await stack.socket(alice!.token, one), await stack.socket(alice!.token, one)];
    const other = await stack.socket(bob!.token, two);
    for (const socket of [...tabs, other]) ok(await socket.request({ type: 'join', room }));

    for (let i = 0; i < 6; i++) ok(await (tabs[i % 2] as TestSocket).request({ type: 'typing', room }));
    ok(await tabs[0]!.request({ type: 'typing', room, stop: true }));
    await other.waitFor(isTyping(true));
    const alicesRef = { id: alice!.id, username: alice!.username };
    expect(typingOf(other)).toEqual([
      { type: 'typing', room, user: alicesRef },
      { type: 'typing', room, user: alicesRef, stop: true },
    ]);

    // Bob types back: alice's tabs get it, and by then they would have had any echo of their own.
    ok(await other.request({ type: 'typing', room }));
    for (const tab of tabs) await tab.waitFor(isTyping(false));
    for (const tab of tabs) {
      expect(typingOf(tab)).toEqual([{ type: 'typing', room, user: { id: bob!.id, username: bob!.username } }]);
    }
  });

  it('after a message, the next typing goes out at once', async () => {
    const [one, two] = stack.processes.gateways;
    const room = await stack.room('Chatty room');
    const [alice, bob] = await stack.users(2);
    const typist = await stack.socket(alice!.token, one);
    const other = await stack.socket(bob!.token, two);
    for (const socket of [typist, other]) ok(await socket.request({ type: 'join', room }));
    ok(await typist.request({ type: 'typing', room }));
    ok(await typist.request({ type: 'send', room, text: 'hello' }));
    ok(await typist.request({ type: 'typing', room }));
    await other.waitFor((f) => f.type === 'message');
    // The second start is not held back by the first: the message ended that typing state.
    const from = other.frames.findIndex((f) => f.type === 'message');
    await other.waitFor(isTyping(false), 5000, from);
    expect(typingOf(other)).toHaveLength(2);
  });

  it('is refused to a socket that has not joined the room (NOT_IN_ROOM)', async () => {
    const room = await stack.room('Closed circle');
    const [eve] = await stack.users(1);
    const outsider = await stack.socket(eve!.token);
    expect(errorCode(await outsider.request({ type: 'typing', room }))).toBe('NOT_IN_ROOM');
    expect(errorCode(await outsider.request({ type: 'typing', room, stop: true }))).toBe('NOT_IN_ROOM');
  });
});
