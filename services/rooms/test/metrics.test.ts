import { type ChatMessage, ChatError, Subjects } from '@chat/protocol';
import { request } from '@chat/nats';
import { readMetrics } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, type TestUser } from './stack.js';

let stack: Stack;
let alice: TestUser;
beforeAll(async () => {
  stack = await startStack();
  alice = await stack.createUser('alice');
});
afterAll(() => stack?.close());

const send = (room: string, text: string) =>
  request<ChatMessage>(stack.nc, Subjects.rooms.send, { room, author: { id: alice.id, username: 'alice' }, text });

const refusalOf = (sent: Promise<unknown>) =>
  sent.then(
    () => 'stored',
    (err: unknown) => (err instanceof ChatError ? err.code : String(err)),
  );

describe("the rooms service's /metrics", () => {
  it('counts committed messages, their batches and the sends refused, and shows nothing left queued', async () => {
    const room = await stack.createRoom('Metrics');
    const staffRoom = await stack.createRoom('Metrics staff', true);
    const before = await readMetrics(stack.roomsUrl);

    const stored = await Promise.all(Array.from({ length: 12 }, (_, i) => send(room.id, `message ${i}`)));
    expect(stored.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(await refusalOf(send(staffRoom.id, 'not staff'))).toBe('ROOM_ACCESS_DENIED');
    expect(await refusalOf(send('no-such-room', 'nowhere'))).toBe('ROOM_INVALID');

    const after = await readMetrics(stack.roomsUrl);
    const moved = (name: string, labels?: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels);
    expect(moved('chat_rooms_messages_committed_total')).toBe(12);
    // Every send went through exactly one batch, the two refused too (the statement judges the room); each batch
    // was timed once.
    expect(moved('chat_rooms_commit_batch_messages_sum')).toBe(14);
    const batches = moved('chat_rooms_commit_batch_messages_count');
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThanOrEqual(12);
    expect(moved('chat_rooms_commit_duration_seconds_count')).toBe(batches);
    expect(moved('chat_rooms_sends_refused_total', { code: 'ROOM_ACCESS_DENIED' })).toBe(1);
    expect(moved('chat_rooms_sends_refused_total', { code: 'ROOM_INVALID' })).toBe(1);
    expect(after.value('chat_rooms_send_queue_depth')).toBe(0);
    // Its own requests to auth (who is alice, is she staff now?) are timed by subject.
    expect(
      moved('chat_nats_request_duration_seconds_count', { subject: Subjects.auth.userGet }),
    ).toBeGreaterThanOrEqual(1);
    expect(moved('chat_nats_request_failures_total')).toBe(0);
  });
});
