/**
 * A room deleted and created again under the same id is a new room: no instance may serve it anything kept
 * from the old one. Two instances share the requests (queue group), each keeping its own recent history, and
 * the new room is given exactly as many messages as the old one had, so that a cache keyed by seq and edit
 * count alone would find the old room's entry.
 */
import { type ChatMessage, JoinHeaders, type JoinResult, Subjects } from '@chat/protocol';
import { request, requestRaw } from '@chat/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, type TestUser } from '../stack.js';

const TRIES = 50;
const MESSAGES = 3;
const JOINS = 4;

let stack: Stack;
let staffer: TestUser;
let visitor: TestUser;
beforeAll(async () => {
  stack = await startStack();
  await stack.addRoomsInstance();
  [staffer, visitor] = await Promise.all([stack.createUser('staffer', { isStaff: true }), stack.createUser('visitor')]);
});
afterAll(() => stack?.close());

const ref = (user: TestUser) => ({ id: user.id, username: user.username });
const send = (room: string, user: TestUser, text: string) =>
  request<ChatMessage>(stack.nc, Subjects.rooms.send, { room, author: ref(user), text });
const join = (room: string, user: TestUser) =>
  requestRaw(stack.nc, Subjects.rooms.join, { room, user: ref(user) }).then((answer) => ({
    result: JSON.parse(new TextDecoder().decode(answer.data)) as JoinResult,
    epoch: Number(answer.header(JoinHeaders.epoch)),
  }));

describe('a room deleted and created again under the same id', () => {
  it(`never serves the old room's messages, from either of two instances (${TRIES} tries)`, async () => {
    const servedOld: string[] = [];
    const epochs = new Set<number>();
    for (let i = 0; i < TRIES; i++) {
      const old = await stack.createRoom('Recycled', true);
      for (let m = 0; m < MESSAGES; m++) await send(old.id, staffer, `secret ${i}.${m}`);
      // Both instances keep the old room's latest messages.
      for (let j = 0; j < JOINS; j++) epochs.add((await join(old.id, staffer)).epoch);
      expect((await stack.api(`/api/rooms/${old.id}`, { method: 'DELETE', token: stack.admin.token })).status).toBe(
        204,
      );

      const again = await stack.createRoom('Recycled', false);
      expect(again.id).toBe(old.id);
      for (let m = 0; m < MESSAGES; m++) await send(again.id, visitor, `open ${i}.${m}`);
      for (let j = 0; j < JOINS; j++) {
        const { result, epoch } = await join(again.id, visitor);
        epochs.add(epoch);
        for (const message of result.messages) if (!message.text.startsWith('open ')) servedOld.push(message.text);
        expect(result.messages).toHaveLength(MESSAGES);
      }
      expect((await stack.api(`/api/rooms/${again.id}`, { method: 'DELETE', token: stack.admin.token })).status).toBe(
        204,
      );
    }
    expect(servedOld).toEqual([]);
    // Every incarnation had its own epoch.
    expect(epochs.size).toBe(TRIES * 2);
    // 50 rounds one after another: about 10 s on the embedded Postgres alone, twice that beside other suites.
  }, 60_000);
});
