/**
 * A member who only reads, after a change whose announcement never comes (made straight in Postgres, as in
 * lost-events.test.ts): they ask for nothing, so no refusal takes them out; the gateway's sweep does, within
 * ACCESS_SWEEP_INTERVAL_MS (plus USER_CACHE_TTL_MS for a change of the user). Everyone else stays.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp as buildRooms, roomsConfigFromEnv } from '@chat/rooms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack.js';
import { neverDelivered } from './delivery.js';

const ACCESS_SWEEP_INTERVAL_MS = 300;
const USER_CACHE_TTL_MS = 1000;
/** Longest a reader may stay in, with room for a loaded machine. */
const REMOVED_WITHIN_MS = 5 * (ACCESS_SWEEP_INTERVAL_MS + USER_CACHE_TTL_MS);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    gatewayEnv: {
      ACCESS_SWEEP_INTERVAL_MS: String(ACCESS_SWEEP_INTERVAL_MS),
      USER_CACHE_TTL_MS: String(USER_CACHE_TTL_MS),
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe('the sweep, for members who only read', () => {
  it('takes a reader out of a room made staff-only with no announcement, and leaves staff in', async () => {
    const room = await stack.room('Swept room');
    const reader = await stack.socket((await stack.user()).token);
    const staff = await stack.socket((await stack.user({ isStaff: true })).token);
    expect((await reader.request({ type: 'join', room })).ok).toBe(true);
    expect((await staff.request({ type: 'join', room })).ok).toBe(true);

    await stack.unannounced('UPDATE rooms.rooms SET staff_only = true WHERE id = $1', room);

    await reader.waitFor(
      (f) => f.type === 'removed' && f.room === room && f.reason === 'ROOM_ACCESS_DENIED',
      REMOVED_WITHIN_MS,
    );
    await neverDelivered(staff, [reader], room, 'after the sweep');
    expect(staff.frames.some((f) => f.type === 'removed')).toBe(false);
  });

  it('takes a demoted reader out of a staff-only room once their kept flags are stale, and ends a disabled one', async () => {
    const room = await stack.room('Swept staff room', true);
    const demoted = await stack.user({ isStaff: true });
    const disabled = await stack.user({ isStaff: true });
    const staying = await stack.socket((await stack.user({ isStaff: true })).token);
    const [demotedSocket, disabledSocket] = [await stack.socket(demoted.token), await stack.socket(disabled.token)];
    for (const socket of [demotedSocket, disabledSocket, staying]) {
      expect((await socket.request({ type: 'join', room })).ok).toBe(true);
    }

    await stack.unannounced('UPDATE auth.users SET is_staff = false WHERE id = $1', demoted.id);
    await stack.unannounced('UPDATE auth.users SET disabled = true WHERE id = $1', disabled.id);

    await demotedSocket.waitFor((f) => f.type === 'removed' && f.room === room, REMOVED_WITHIN_MS);
    const ended = await Promise.race([disabledSocket.closed, sleep(REMOVED_WITHIN_MS)]);
    expect(ended, 'the disabled user’s socket is closed').toMatchObject({ code: 1008 });
    await neverDelivered(staying, [demotedSocket], room, 'staff still');
    expect(staying.frames.some((f) => f.type === 'removed')).toBe(false);
  });

  it('goes on after sweeps that failed: with rooms gone for a while, the first sweep once it is back applies the change', async () => {
    const room = await stack.room('Swept after an outage');
    const reader = await stack.socket((await stack.user()).token);
    expect((await reader.request({ type: 'join', room })).ok).toBe(true);

    await stack.apps.rooms.close();
    // Several sweeps fail meanwhile: nobody answers for the rooms.
    await sleep(4 * ACCESS_SWEEP_INTERVAL_MS);
    await stack.unannounced('UPDATE rooms.rooms SET staff_only = true WHERE id = $1', room);
    expect(reader.frames.some((f) => f.type === 'removed')).toBe(false);
    const rooms = await buildRooms(
      roomsConfigFromEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        NATS_URL: stack.natsUrl,
        JWT_PUBLIC_KEY: stack.keys.publicKey,
        DATABASE_URL: stack.databaseUrl,
      }),
    );
    try {
      await rooms.ready();
      await reader.waitFor((f) => f.type === 'removed' && f.room === room, REMOVED_WITHIN_MS);
    } finally {
      await rooms.close();
    }
  });
});
