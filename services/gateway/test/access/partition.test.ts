/**
 * A gateway cut off from NATS misses the announcements made meanwhile; once the link is back it must judge
 * every socket again before serving it more. The gateway alone reaches NATS through a TCP proxy that the test
 * cuts for three seconds while an administrator disables one user, demotes another, makes a room staff-only
 * and deletes another room (and creates it again): afterwards every one of those changes holds on the
 * gateway's sockets, within the bound docs/reliability.md states.
 */
import { startNatsServer, startTcpProxy, type NatsServerHandle, type TcpProxy } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayEnv } from '../../src/config.js';
import { type Stack, startStack } from '../stack.js';
import { neverDelivered } from './delivery.js';

let nats: NatsServerHandle;
let proxy: TcpProxy;
let stack: Stack;
beforeAll(async () => {
  nats = await startNatsServer();
  const { hostname, port } = new URL(nats.url);
  proxy = await startTcpProxy({ host: hostname, port: Number(port) });
  stack = await startStack({ natsUrl: nats.url, gatewayNatsUrl: `nats://${proxy.host}:${proxy.port}` });
});
afterAll(async () => {
  await stack?.stop();
  await proxy?.stop();
  await nats?.stop();
});

describe('a gateway cut off from NATS while access changes', () => {
  it('applies every change it missed once the link is back', async () => {
    const admin = { token: stack.adminToken };
    const staffRoom = await stack.room('Partition staff', true);
    const turning = await stack.room('Partition turning');
    const doomed = await stack.room('Partition doomed');

    const disabled = await stack.user();
    const demoted = await stack.user({ isStaff: true });
    const plain = await stack.user();
    const witness = await stack.user({ isStaff: true });
    const d = await stack.socket(disabled.token);
    const s = await stack.socket(demoted.token);
    const p = await stack.socket(plain.token);
    const w = await stack.socket(witness.token);
    for (const [socket, room] of [
      [d, turning],
      [s, staffRoom],
      [p, turning],
      [p, doomed],
      [w, staffRoom],
      [w, turning],
    ] as const) {
      expect((await socket.request({ type: 'join', room })).ok).toBe(true);
    }

    proxy.cut();
    await stack.call('PATCH', `/api/auth/users/${disabled.id}`, { ...admin, body: { disabled: true } });
    await stack.call('PATCH', `/api/auth/users/${demoted.id}`, { ...admin, body: { isStaff: false } });
    await stack.call('PATCH', `/api/rooms/${turning}`, { ...admin, body: { staffOnly: true } });
    expect((await stack.call('DELETE', `/api/rooms/${doomed}`, admin)).status).toBe(204);
    expect(await stack.room('Partition doomed')).toBe(doomed);
    await sleep(3000);
    proxy.restore();

    const bound = GatewayEnv.properties.ACCESS_RECHECK_DEADLINE_MS.default;
    expect((await d.closed).code).toBe(1008);
    await s.waitFor((f) => f.type === 'removed' && f.room === staffRoom && f.reason === 'ROOM_ACCESS_DENIED', bound);
    await p.waitFor((f) => f.type === 'removed' && f.room === turning && f.reason === 'ROOM_ACCESS_DENIED', bound);
    await p.waitFor((f) => f.type === 'removed' && f.room === doomed && f.reason === 'ROOM_INVALID', bound);

    // And nothing of the staff rooms reaches those who lost them.
    await neverDelivered(w, [s, p], staffRoom, 'after the partition');
    await neverDelivered(w, [s, p], turning, 'staff only now');
    const history = await s.request({ type: 'history', room: staffRoom });
    expect(!history.ok && history.error.code).toBe('NOT_IN_ROOM');
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
