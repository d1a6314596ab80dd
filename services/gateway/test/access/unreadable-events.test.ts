/**
 * An announcement the gateway cannot read is as good as one it missed: every socket is judged again from the
 * current state. And when that judgement cannot be made (the services do not answer) within
 * ACCESS_RECHECK_DEADLINE_MS, the gateway asks its clients to reconnect (1012) rather than go on serving
 * access it could not confirm.
 */
import { connectNats, type NatsConnection } from '@chat/nats';
import { Subjects } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack.js';

let stack: Stack;
let nc: NatsConnection;
beforeAll(async () => {
  stack = await startStack({ gatewayEnv: { ACCESS_RECHECK_DEADLINE_MS: '1000' } });
  nc = await connectNats({ url: stack.natsUrl, name: 'test-publisher' });
});
afterAll(async () => {
  await nc?.close();
  await stack?.stop();
});

describe('an announcement the gateway cannot read', () => {
  it('makes it judge every socket again, applying a change whose own announcement never came', async () => {
    const room = await stack.room('Unreadable staff', true);
    const member = await stack.user({ isStaff: true });
    const m = await stack.socket(member.token);
    expect((await m.request({ type: 'join', room })).ok).toBe(true);

    await stack.unannounced('UPDATE auth.users SET is_staff = false WHERE id = $1', member.id);
    nc.publish(Subjects.userChanged, new TextEncoder().encode('{"not":"an event"'));
    await m.waitFor((f) => f.type === 'removed' && f.room === room && f.reason === 'ROOM_ACCESS_DENIED');
    const rejoin = await m.request({ type: 'join', room });
    expect(!rejoin.ok && rejoin.error.code).toBe('ROOM_ACCESS_DENIED');
  });

  it('closes every socket with 1012 when the services cannot confirm access in time', async () => {
    const room = await stack.room('Unconfirmed');
    const someone = await stack.socket((await stack.user()).token);
    expect((await someone.request({ type: 'join', room })).ok).toBe(true);

    await stack.apps.rooms.close(); // rooms no longer answers: no room's access can be confirmed
    nc.publish(Subjects.roomsChanged, new TextEncoder().encode('[]'));
    expect((await someone.closed).code).toBe(1012);
  });
});
