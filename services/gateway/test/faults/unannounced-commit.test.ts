/**
 * A rooms instance dies between committing a message and announcing it (a test-only hook makes it SIGKILL itself
 * right after that commit). The sender is told UNAVAILABLE (the gateway makes one attempt here, so that no retry
 * of its own announces the message), yet every live member gets the message exactly once, from the surviving
 * instance's outbox sweep; a retry of the same send gets the stored message and stores nothing.
 */
import { randomUUID } from 'node:crypto';
import type { ChatMessage, JoinResult, ServerFrame } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../replies.js';
import {
  type FaultStack,
  messagesOf,
  printLogsOnFailure,
  reliability,
  sleep,
  startFaultStack,
  storedMessages,
} from './harness.js';

/** docs/reliability.md: GRACE_MS + SWEEP_EVERY_MS of services/rooms/src/messages/outbox.ts. */
const ANNOUNCE_BOUND_MS = 2000;
const DOOMED = 'the last words of a rooms instance';

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack({
    rooms: 2,
    gateways: 2,
    roomsEnv: { ROOMS_TEST_DIE_AFTER_COMMITTING: DOOMED },
    gatewayEnv: { SEND_ATTEMPTS: '1' },
  });
}, 60_000);
afterAll(() => stack?.stop(), 60_000);
printLogsOnFailure(() => stack?.logs());

const withId = (id: string) => (f: ServerFrame) => f.type === 'message' && f.message.id === id;

describe('a rooms instance killed between its commit and its announcement', () => {
  it('leaves no live member without the message, and none gets it twice', async () => {
    const [first, second] = stack.processes.gateways;
    const room = await stack.room('Last words');
    const [sender, near, far] = await Promise.all([
      stack.chatters(1, [room], first),
      stack.chatters(1, [room], first),
      stack.chatters(1, [room], second),
    ]).then((groups) => groups.flat());
    const members = [sender!, near!, far!];

    const id = randomUUID();
    const sentAt = Date.now();
    const refusal = sender!.request({ type: 'send', room, text: DOOMED, id });
    while (stack.processes.rooms.filter((p) => p.running).length > 1) await sleep(5);

    // Well within the grace period: a message after it, announced at once by the survivor, so the lost one
    // comes late; and a member who joins now, with the lost one in its join history, must not get it again.
    const after = ok(await near!.request({ type: 'send', room, text: 'after' })) as ChatMessage;
    const [latecomer] = await stack.chatters(1, [], second);
    const history = ok(await latecomer!.request({ type: 'join', room })) as JoinResult;
    expect(history.messages.map((m) => m.id)).toContain(id);
    const refused = await refusal;
    expect(refused.ok ? 'ok' : refused.error.code, 'the instance died before answering').toBe('UNAVAILABLE');

    const arrivals = await Promise.all(members.map((s) => s.waitFor(withId(id), ANNOUNCE_BOUND_MS * 5)));
    const latencyMs = Date.now() - sentAt;
    const announced = (arrivals[0] as { message: ChatMessage }).message;
    expect(announced.seq).toBe(after.seq - 1);

    // The client sends again (same id): the stored message, identical, and nothing stored or announced twice.
    const retried = ok(await sender!.request({ type: 'send', room, text: DOOMED, id })) as ChatMessage;
    expect(retried).toEqual(announced);
    const last = ok(await far!.request({ type: 'send', room, text: 'last' })) as ChatMessage;
    for (const s of [...members, latecomer!]) await s.waitFor((f) => f.type === 'message' && f.message.id === last.id);

    for (const s of members) expect(messagesOf(s.frames, room).filter((m) => m.id === id)).toEqual([announced]);
    expect(messagesOf(latecomer!.frames, room).filter((m) => m.id === id)).toEqual([]);
    const stored = await storedMessages(stack.databaseUrl, [room]);
    expect(stored.map((m) => [m.seq, m.text])).toEqual([
      [announced.seq, DOOMED],
      [after.seq, 'after'],
      [last.seq, 'last'],
    ]);
    reliability('rooms killed between commit and announcement', {
      membersOnTwoGateways: members.length,
      announcedWithinMs: latencyMs,
      boundMs: ANNOUNCE_BOUND_MS,
      deliveriesPerMember: 1,
    });
  }, 40_000);
});
