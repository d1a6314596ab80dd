/**
 * Access judged from the state as it is now, not from what was true when a socket joined: a room's flag can
 * change while a member is in it, and what the user's later change takes away follows the room as it is then.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack.js';
import { neverDelivered } from './delivery.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

describe('a room made staff-only while a staff member is in it', () => {
  it('loses that member when they are demoted later: removed, no live messages, no history', async () => {
    const room = await stack.room('Was open');
    const member = await stack.user({ isStaff: true });
    const colleague = await stack.user({ isStaff: true });
    const m = await stack.socket(member.token);
    const c = await stack.socket(colleague.token);
    expect((await m.request({ type: 'join', room })).ok).toBe(true);
    expect((await c.request({ type: 'join', room })).ok).toBe(true);

    await stack.call('PATCH', `/api/rooms/${room}`, { token: stack.adminToken, body: { staffOnly: true } });
    await m.waitFor((f) => f.type === 'rooms-changed' && f.room.id === room && f.room.staffOnly === true);
    await stack.call('PATCH', `/api/auth/users/${member.id}`, { token: stack.adminToken, body: { isStaff: false } });

    await m.waitFor((f) => f.type === 'removed' && f.room === room && f.reason === 'ROOM_ACCESS_DENIED');
    await neverDelivered(c, [m], room, 'for staff only, after the demotion');
    const history = await m.request({ type: 'history', room });
    expect(!history.ok && history.error.code).toBe('NOT_IN_ROOM');
    const rejoin = await m.request({ type: 'join', room });
    expect(!rejoin.ok && rejoin.error.code).toBe('ROOM_ACCESS_DENIED');
  });
});
