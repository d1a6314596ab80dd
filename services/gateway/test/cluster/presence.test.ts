/**
 * Presence on the three-node NATS cluster: it lives in Postgres, not in any NATS node or process, so losing a node
 * (and the gateway and rooms instance on it reconnecting elsewhere) takes nobody out of a room, and typing still
 * crosses gateways afterwards.
 */
import { type MembersResult, PRESENCE_BOUND_MS, type ServerFrame } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, ok } from '../replies.js';
import { type Cluster, nodeOf, startCluster } from './cluster.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
}, 120_000);
afterAll(() => cluster?.stop(), 60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isNotice = (f: ServerFrame) => f.type === 'joined' || f.type === 'left';

describe('presence when a NATS node dies', () => {
  it(
    `nobody leaves a room within the ${PRESENCE_BOUND_MS / 1000} s a dead gateway would take, and typing still crosses gateways`,
    async () => {
      const room = await cluster.room('Steady room');
      const users = [await cluster.user(), await cluster.user(), await cluster.user()];
      const gateways = cluster.processes.gateways;
      // One user per gateway, each gateway on its own node; gateway-2 (and rooms-1) sit on node 2.
      const sockets = await Promise.all(users.map((u, i) => cluster.gatewaySocket(u.token, gateways[i] as never)));
      for (const socket of sockets) ok(await socket.request({ type: 'join', room }));
      const [watcher, onDoomedNode] = sockets as [(typeof sockets)[0], (typeof sockets)[0]];
      expect(nodeOf(cluster, gateways[1] as never)).toBe(2);
      const members = ok<MembersResult>(await watcher.request({ type: 'members', room }));
      expect(members.memberCount).toBe(3);
      // Joins are gathered in 250 ms windows: wait until every other user's has come.
      const named = () => new Set(watcher.frames.flatMap((f) => (f.type === 'joined' ? f.users.map((u) => u.id) : [])));
      while (!users.slice(1).every((u) => named().has(u.id))) await sleep(50);
      const noticesBefore = watcher.frames.filter(isNotice).length;

      const node = cluster.processes.natsCluster?.nodes[1];
      if (!node) throw new Error('no node 2');
      // Down for 3 s, then back; its gateway and rooms instance reconnect to the other nodes meanwhile.
      const restarted = node.restart(3000);
      await sleep(PRESENCE_BOUND_MS);
      await restarted;

      expect(watcher.frames.filter(isNotice).length, 'no joined or left since the node died').toBe(noticesBefore);
      const after = ok<MembersResult>(await watcher.request({ type: 'members', room }));
      expect(after.members).toEqual(members.members);
      expect(after.memberCount).toBe(3);

      // The user whose gateway moved to another node types; the others, on their own gateways, see it.
      ok(await onDoomedNode.request({ type: 'typing', room }));
      for (const socket of [sockets[0], sockets[2]]) {
        const typing = await socket?.waitFor((f) => f.type === 'typing');
        expect(typing).toMatchObject({ type: 'typing', room, user: { id: users[1]?.id } });
      }
      expect(errorCode(await onDoomedNode.request({ type: 'typing', room: 'not-joined-here' }))).toBe('NOT_IN_ROOM');
    },
    PRESENCE_BOUND_MS + 30_000,
  );
});
