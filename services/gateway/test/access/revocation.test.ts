import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

describe('access that ends while connected', () => {
  it('a disabled user is disconnected with 1008', async () => {
    const user = await stack.user();
    const s = await stack.socket(user.token);
    await stack.call('PATCH', `/api/auth/users/${user.id}`, { token: stack.adminToken, body: { disabled: true } });
    expect((await s.closed).code).toBe(1008);
  });

  it('logging out closes that user’s sockets', async () => {
    const user = await stack.user();
    const s = await stack.socket(user.token);
    expect((await stack.call('POST', '/api/auth/logout', { token: user.token })).status).toBe(204);
    expect((await s.closed).code).toBe(1008);
  });

  it('a user demoted from staff leaves staff-only rooms and hears nothing more from them', async () => {
    const room = await stack.room('Staff corner', true);
    const open = await stack.room('Open corner');
    const staff = await stack.user({ isStaff: true });
    const colleague = await stack.user({ isStaff: true });
    const s = await stack.socket(staff.token);
    const c = await stack.socket(colleague.token);
    for (const r of [room, open]) expect((await s.request({ type: 'join', room: r })).ok).toBe(true);
    expect((await c.request({ type: 'join', room })).ok).toBe(true);

    await stack.call('PATCH', `/api/auth/users/${staff.id}`, { token: stack.adminToken, body: { isStaff: false } });
    await s.waitFor((f) => f.type === 'removed' && f.room === room && f.reason === 'ROOM_ACCESS_DENIED');
    await c.waitFor((f) => f.type === 'left' && f.room === room && f.users.some((u) => u.id === staff.id));

    await c.request({ type: 'send', room, text: 'after the demotion' });
    const refused = await s.request({ type: 'send', room, text: 'still here?' });
    expect(!refused.ok && refused.error.code).toBe('NOT_IN_ROOM');
    expect((await s.request({ type: 'send', room: open, text: 'open rooms still work' })).ok).toBe(true);
    expect(s.frames.some((f) => f.type === 'message' && f.message.text === 'after the demotion')).toBe(false);
  });

  it('members of a deleted room are told they left it', async () => {
    const room = await stack.room('Doomed');
    const user = await stack.user();
    const s = await stack.socket(user.token);
    await s.request({ type: 'join', room });
    await stack.call('DELETE', `/api/rooms/${room}`, { token: stack.adminToken });
    await s.waitFor((f) => f.type === 'removed' && f.room === room && f.reason === 'ROOM_INVALID');
    const refused = await s.request({ type: 'send', room, text: 'hello?' });
    expect(!refused.ok && refused.error.code).toBe('NOT_IN_ROOM');
  });

  it('a room made staff-only keeps its staff and loses the others', async () => {
    const room = await stack.room('Turning private');
    const staff = await stack.user({ isStaff: true });
    const plain = await stack.user();
    const s = await stack.socket(staff.token);
    const p = await stack.socket(plain.token);
    await s.request({ type: 'join', room });
    await p.request({ type: 'join', room });
    await stack.call('PATCH', `/api/rooms/${room}`, { token: stack.adminToken, body: { staffOnly: true } });
    await p.waitFor((f) => f.type === 'removed' && f.room === room && f.reason === 'ROOM_ACCESS_DENIED');
    await s.waitFor((f) => f.type === 'left' && f.room === room && f.users.some((u) => u.id === plain.id));
    expect((await s.request({ type: 'send', room, text: 'staff only now' })).ok).toBe(true);
    const refused = await p.request({ type: 'send', room, text: 'me too' });
    expect(!refused.ok && refused.error.code).toBe('NOT_IN_ROOM');
  });
});

describe('the room list', () => {
  it('reaches every socket as rooms are created, changed and deleted', async () => {
    const s = await stack.socket((await stack.user()).token);
    const room = await stack.room('Brand new');
    await s.waitFor((f) => f.type === 'rooms-changed' && f.kind === 'created' && f.room.id === room);
    await stack.call('PATCH', `/api/rooms/${room}`, { token: stack.adminToken, body: { title: 'Renamed' } });
    const updated = await s.waitFor((f) => f.type === 'rooms-changed' && f.kind === 'updated' && f.room.id === room);
    expect(updated).toMatchObject({ room: { title: 'Renamed', staffOnly: false } });
    await stack.call('DELETE', `/api/rooms/${room}`, { token: stack.adminToken });
    await s.waitFor((f) => f.type === 'rooms-changed' && f.kind === 'deleted' && f.room.id === room);
  });
});
