/**
 * A change whose announcement never comes (lost between two NATS nodes, as core NATS may lose what is in flight
 * when a route reconnects): here made straight in Postgres, behind every service's back. No gateway or rooms
 * instance hears of it, and still a join is judged by it at once; a send into the room is refused at once when
 * the room changed, and within USER_CACHE_TTL_MS (short here) when the user did; and the first refusal takes
 * the member out of the room on their gateway, so they stop getting its messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack.js';
import { neverDelivered } from './delivery.js';

const USER_CACHE_TTL_MS = 1000;

let stack: Stack;
beforeAll(async () => {
  const ttl = { USER_CACHE_TTL_MS: String(USER_CACHE_TTL_MS) };
  stack = await startStack({ roomsEnv: ttl, gatewayEnv: ttl });
});
afterAll(async () => {
  await stack?.stop();
});

const afterUserCacheTtl = () => new Promise((resolve) => setTimeout(resolve, USER_CACHE_TTL_MS + 100));

describe('a room made staff-only with no announcement', () => {
  it('refuses a join at once, refuses a member’s send at once and takes them out of the room', async () => {
    const room = await stack.room('Closed unannounced');
    const member = await stack.socket((await stack.user()).token);
    const staff = await stack.socket((await stack.user({ isStaff: true })).token);
    expect((await member.request({ type: 'join', room })).ok).toBe(true);
    expect((await staff.request({ type: 'join', room })).ok).toBe(true);

    await stack.unannounced('UPDATE rooms.rooms SET staff_only = true WHERE id = $1', room);

    const newcomer = await stack.socket((await stack.user()).token);
    const join = await newcomer.request({ type: 'join', room });
    expect(!join.ok && join.error.code).toBe('ROOM_ACCESS_DENIED');
    const send = await member.request({ type: 'send', room, text: 'still open?' });
    expect(!send.ok && send.error.code).toBe('ROOM_ACCESS_DENIED');
    await member.waitFor((f) => f.type === 'removed' && f.room === room && f.reason === 'ROOM_ACCESS_DENIED');
    await neverDelivered(staff, [member], room, 'staff only, though nobody announced it');
  });
});

describe('a user demoted with no announcement', () => {
  it('is refused a staff-only room at once, and their sends in it within USER_CACHE_TTL_MS', async () => {
    const [entered, other] = [await stack.room('Staff unannounced', true), await stack.room('Staff other', true)];
    const demoted = await stack.user({ isStaff: true });
    const socket = await stack.socket(demoted.token);
    expect((await socket.request({ type: 'join', room: entered })).ok).toBe(true);
    expect((await socket.request({ type: 'send', room: entered, text: 'as staff' })).ok).toBe(true);

    await stack.unannounced('UPDATE auth.users SET is_staff = false WHERE id = $1', demoted.id);

    const join = await socket.request({ type: 'join', room: other });
    expect(!join.ok && join.error.code).toBe('ROOM_ACCESS_DENIED');
    await afterUserCacheTtl();
    const send = await socket.request({ type: 'send', room: entered, text: 'still staff?' });
    expect(!send.ok && send.error.code).toBe('ROOM_ACCESS_DENIED');
    await socket.waitFor((f) => f.type === 'removed' && f.room === entered && f.reason === 'ROOM_ACCESS_DENIED');
  });
});

describe('a user disabled with no announcement', () => {
  it('is refused a join at once, and their sends within USER_CACHE_TTL_MS', async () => {
    const [entered, other] = [await stack.room('Open unannounced'), await stack.room('Open other')];
    const disabled = await stack.user();
    const socket = await stack.socket(disabled.token);
    expect((await socket.request({ type: 'join', room: entered })).ok).toBe(true);
    expect((await socket.request({ type: 'send', room: entered, text: 'hello' })).ok).toBe(true);

    await stack.unannounced('UPDATE auth.users SET disabled = true WHERE id = $1', disabled.id);

    const join = await socket.request({ type: 'join', room: other });
    expect(!join.ok && join.error.code).toBe('USER_DISABLED');
    await afterUserCacheTtl();
    const send = await socket.request({ type: 'send', room: entered, text: 'still here?' });
    expect(!send.ok && send.error.code).toBe('USER_DISABLED');
  });
});
