/**
 * A join with `since` (a rejoin): exactly the messages after it in one answer while the room is the incarnation
 * the client names and it is at most MAX_RESUME_MESSAGES behind; otherwise a reset to the latest messages, never
 * a mix of two incarnations of the room.
 */
import {
  type ChatMessage,
  compile,
  HISTORY_ON_JOIN,
  JoinHeaders,
  JoinResult,
  MAX_RESUME_MESSAGES,
  type ResumePosition,
  Subjects,
} from '@chat/protocol';
import { request, requestRaw } from '@chat/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, type TestUser } from '../stack.js';

let stack: Stack;
let alice: TestUser;
beforeAll(async () => {
  stack = await startStack();
  alice = await stack.createUser('alice');
});
afterAll(() => stack?.close());

const validJoinResult = compile(JoinResult);
const user = () => ({ id: alice.id, username: alice.username });

async function join(room: string, resume?: ResumePosition) {
  const answer = await requestRaw(stack.nc, Subjects.rooms.join, { room, user: user(), ...(resume && { resume }) });
  const result: unknown = JSON.parse(new TextDecoder().decode(answer.data));
  expect(validJoinResult.check(result)).toBe(true);
  return { result: result as JoinResult, lastSeq: Number(answer.header(JoinHeaders.lastSeq)) };
}

/** `count` messages, sent in parallel (stored in one or a few group commits); returns their texts by seq. */
async function post(room: string, count: number, label: string): Promise<ChatMessage[]> {
  const sent = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      request<ChatMessage>(stack.nc, Subjects.rooms.send, { room, author: user(), text: `${label} ${i}` }),
    ),
  );
  return sent.sort((a, b) => a.seq - b.seq);
}

const seqs = (messages: readonly ChatMessage[]) => messages.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('rejoining a room with since and epoch', () => {
  it('shows every room with its epoch, and an ordinary join carries no reset', async () => {
    const room = await stack.createRoom('Epochs');
    const { result } = await join(room.id);
    expect(result.room.epoch).toBe((room as { epoch?: number }).epoch);
    expect(result.room.epoch).toBeGreaterThan(0);
    expect(result).not.toHaveProperty('reset');
    const listed = await stack.api<{ id: string; epoch: number }[]>('/api/rooms', { token: alice.token });
    expect(listed.body.find((r) => r.id === room.id)?.epoch).toBe(result.room.epoch);
  });

  it('answers exactly the 100 messages missed, and nothing already held', async () => {
    const room = await stack.createRoom('Resume Hundred');
    await post(room.id, 7, 'before');
    const first = await join(room.id);
    const held = first.lastSeq;
    const missed = await post(room.id, 100, 'missed');

    const { result, lastSeq } = await join(room.id, { since: held, epoch: first.result.room.epoch });
    expect(result.reset).toBe(false);
    expect(seqs(result.messages)).toEqual(range(held + 1, held + 100));
    expect(result.messages).toEqual(missed);
    expect(lastSeq).toBe(held + 100);
  });

  it('answers a few missed from what it keeps, as they are now: edited and deleted ones too', async () => {
    const room = await stack.createRoom('Few Missed');
    await post(room.id, 60, 'early');
    const first = await join(room.id);
    const missed = await post(room.id, 5, 'later');
    const [edited, deleted] = [missed[1] as ChatMessage, missed[3] as ChatMessage];
    // A plain join keeps the latest messages as they are now; the rejoins after it are served from them.
    await request(stack.nc, Subjects.rooms.edit, { room: room.id, id: edited.id, user: user(), text: 'edited' });
    await request(stack.nc, Subjects.rooms.delete, { room: room.id, id: deleted.id, user: user() });
    await join(room.id);
    for (let i = 0; i < 2; i++) {
      const { result } = await join(room.id, { since: first.lastSeq, epoch: first.result.room.epoch });
      expect(result.reset).toBe(false);
      expect(seqs(result.messages)).toEqual(range(61, 65));
      const now = (m: ChatMessage) => (m === edited ? 'edited' : m === deleted ? '' : m.text);
      expect(result.messages.map((m) => m.text)).toEqual(missed.map(now));
      expect(result.messages[3]?.deletedAt).toBeDefined();
    }
  });

  it('answers no messages, and no reset, to a client that missed nothing (or names a seq beyond the last)', async () => {
    const room = await stack.createRoom('Up To Date');
    await post(room.id, 3, 'm');
    const { result: first } = await join(room.id);
    for (const since of [3, 4, 1_000_000]) {
      const { result } = await join(room.id, { since, epoch: first.room.epoch });
      expect(result.reset).toBe(false);
      expect(result.messages).toEqual([]);
    }
  });

  it(`resets to the latest ${HISTORY_ON_JOIN} when more than ${MAX_RESUME_MESSAGES} were missed`, async () => {
    const room = await stack.createRoom('Far Behind');
    const { result: first } = await join(room.id);
    await post(room.id, MAX_RESUME_MESSAGES, 'a');
    const exactlyTheBound = await join(room.id, { since: 0, epoch: first.room.epoch });
    expect(exactlyTheBound.result.reset).toBe(false);
    expect(seqs(exactlyTheBound.result.messages)).toEqual(range(1, MAX_RESUME_MESSAGES));

    await post(room.id, 1, 'b');
    const { result } = await join(room.id, { since: 0, epoch: first.room.epoch });
    expect(result.reset).toBe(true);
    const last = MAX_RESUME_MESSAGES + 1;
    expect(seqs(result.messages)).toEqual(range(last - HISTORY_ON_JOIN + 1, last));
  });

  it('resets a client that names no epoch: its seq could belong to any incarnation', async () => {
    const room = await stack.createRoom('No Epoch');
    await post(room.id, 5, 'm');
    const { result } = await join(room.id, { since: 2 });
    expect(result.reset).toBe(true);
    expect(seqs(result.messages)).toEqual(range(1, 5));
  });

  it("resets a client of a deleted room's old incarnation, with none of the old messages", async () => {
    const old = await stack.createRoom('Recreated');
    await post(old.id, 20, 'old');
    const { result: before } = await join(old.id);
    const oldEpoch = before.room.epoch;
    const deleted = await stack.api(`/api/rooms/${old.id}`, { method: 'DELETE', token: stack.admin.token });
    expect(deleted.status).toBe(204);

    const again = await stack.createRoom('Recreated');
    expect(again.id).toBe(old.id);
    // More messages than the client held of the old room, so the seqs overlap: only the epoch tells them apart.
    await post(again.id, 30, 'new');
    for (const since of [0, 10, 20, 25]) {
      const { result } = await join(again.id, { since, epoch: oldEpoch });
      expect(result.reset).toBe(true);
      expect(result.room.epoch).not.toBe(oldEpoch);
      expect(result.messages.map((m) => m.text.split(' ')[0])).toEqual(Array(30).fill('new'));
    }
  });
});
