/**
 * The cluster under faults, with chat going on through the front on all three gateways: a rooms instance, a NATS
 * node and a gateway are killed (SIGKILL) in turn. What an acknowledgement promises is checked against the store:
 * nothing acknowledged lost, nothing stored twice, every room's seqs gap-free.
 */
import type { ServiceProcess } from '@chat/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkStore,
  describeOutcome,
  printLogsOnFailure,
  reliability,
  type SendOutcome,
  type SendRecord,
  sleep,
  storedMessages,
  trySend,
} from '../faults/harness.js';
import { ResumingClient } from '../faults/resuming-client.js';
import { type Cluster, nodeOf, REQUEST_TIMEOUT_MS, startCluster } from './cluster.js';

/**
 * docs/scaling.md's bound: after a NATS node dies, every client's sends are acknowledged again within this long.
 * The services on it notice at once (the socket closes), reconnect to another node within NATS's reconnect wait
 * (250 ms + up to 100 ms of jitter) and the gateway then confirms its sockets' access before serving them.
 */
const NODE_FAILOVER_BOUND_MS = 5000;

let cluster: Cluster;
const clients: ResumingClient[] = [];
beforeAll(async () => {
  cluster = await startCluster();
}, 90_000);
afterAll(async () => {
  // Before the gateways go: a client whose socket closes would otherwise look for another one.
  for (const client of clients) await client.stop();
  await cluster?.stop();
}, 60_000);
printLogsOnFailure(() => cluster?.logs());

/**
 * Clients that reconnect through the front when their socket drops and fill in by seq, `perGateway` of them on
 * each gateway, each in every room.
 */
async function spreadClients(perGateway: number, rooms: string[]) {
  const { gateways } = cluster.processes;
  const byGateway = new Map<ServiceProcess, ResumingClient[]>(gateways.map((g) => [g, []]));
  for (let tries = 0; [...byGateway.values()].some((c) => c.length < perGateway); tries++) {
    if (tries > 12 * perGateway) throw new Error('the front did not spread the clients');
    const user = await cluster.user();
    const client = new ResumingClient(user.token, () => [cluster.frontWs], 0, rooms);
    const { gateway } = await cluster.landing(() => client.start());
    clients.push(client);
    byGateway.get(gateway)?.push(client);
  }
  return byGateway;
}

/** Every client sends in turn over the rooms, waiting while its socket is being replaced. */
function chat(group: ResumingClient[], rooms: string[], tag: string) {
  const records: SendRecord[] = [];
  let running = true;
  const loops = group.map(async (client, c) => {
    for (let i = 0; running; i++) {
      await client.whenReady();
      const room = rooms[i % rooms.length] as string;
      const text = `${tag}-c${c}-${i}`;
      const startedAt = Date.now();
      const outcome: SendOutcome = await trySend(client.socket, room, text);
      records.push({ client: c, room, text, startedAt, latencyMs: Date.now() - startedAt, outcome });
      await sleep(10);
    }
  });
  return {
    records,
    async stop() {
      running = false;
      await Promise.all(loops);
      return records;
    },
  };
}

/** Waits until every client shows every stored message of every room, then says what differs. */
async function compareWithStore(group: ResumingClient[], rooms: string[]): Promise<void> {
  const stored = await storedMessages(cluster.databaseUrl, rooms);
  const deadline = Date.now() + 10_000;
  for (const client of group) {
    await client.whenReady();
    for (const room of rooms) {
      const last = stored.filter((m) => m.room === room).at(-1)?.seq ?? 0;
      while (client.contiguous(room) < last && Date.now() < deadline) await sleep(50);
    }
  }
  for (const [c, client] of group.entries())
    for (const room of rooms) {
      const expected = stored.filter((m) => m.room === room).map((m) => `${m.seq}:${m.text}`);
      expect(
        client.shown(room).map((m) => `${m.seq}:${m.text}`),
        `client ${c} in ${room}`,
      ).toEqual(expected);
    }
}

describe('a rooms instance killed', () => {
  it('its queue-group twin carries on: no client sees an error, nothing acknowledged is lost or stored twice', async () => {
    const rooms = [await cluster.room('Rooms kill A'), await cluster.room('Rooms kill B')];
    const byGateway = await spreadClients(2, rooms);
    const group = [...byGateway.values()].flat();
    const traffic = chat(group, rooms, 'rk');
    await sleep(700);
    const doomed = cluster.processes.rooms[0] as ServiceProcess;
    const killedAt = Date.now();
    await doomed.kill('SIGKILL');
    await sleep(1500);
    const records = await traffic.stop();

    const failed = records.filter((r) => r.outcome.kind !== 'acked');
    expect(failed.map(describeOutcome), 'client-visible errors').toEqual([]);
    const check = await checkStore(cluster.databaseUrl, rooms, records);
    expect(check.lost, 'acknowledged but not stored').toEqual([]);
    expect(check.mismatched).toEqual([]);
    expect(check.duplicates, 'stored twice').toEqual([]);
    expect(check.gaps).toEqual([]);
    await compareWithStore(group, rooms);
    reliability('cluster: one of two rooms instances killed', {
      sends: records.length,
      afterTheKill: records.filter((r) => r.startedAt >= killedAt).length,
      errors: failed.length,
      slowestSendMs: Math.max(...records.map((r) => r.latencyMs)),
    });
    await doomed.restart();
  }, 60_000);
});

describe('a rooms and an auth instance killed', () => {
  it('REST through every gateway carries on: each call answered by the twin, each POST carried out once', async () => {
    const [rooms, auth] = [cluster.processes.rooms[0], cluster.processes.auths[0]] as ServiceProcess[];
    await Promise.all([rooms?.kill('SIGKILL'), auth?.kill('SIGKILL')]);
    try {
      const failures: string[] = [];
      const titles: string[] = [];
      for (const [g, gateway] of cluster.processes.gateways.entries()) {
        const api = cluster.via(gateway);
        for (let i = 0; i < 5; i++) {
          const title = `REST after kill ${g}.${i}`;
          titles.push(title);
          const login = await api.call('POST', '/api/auth/login', {
            body: { username: 'admin', password: 'admin-password' },
          });
          const created = await api.call('POST', '/api/rooms', { token: cluster.adminToken, body: { title } });
          const list = await api.call('GET', '/api/rooms', { token: cluster.adminToken });
          for (const [what, res, want] of [
            ['login', login, 200],
            ['create', created, 201],
            ['list', list, 200],
          ] as const) {
            if (res.status !== want) failures.push(`gateway-${g} ${what}: ${res.status} ${JSON.stringify(res.body)}`);
          }
        }
      }
      expect(failures, 'client-visible errors').toEqual([]);
      const list = await cluster.front.call('GET', '/api/rooms', { token: cluster.adminToken });
      const created = list.body
        .map((r: { title: string }) => r.title)
        .filter((t: string) => t.startsWith('REST after'));
      expect(created.sort()).toEqual(titles.sort());
    } finally {
      await Promise.all([rooms?.restart(), auth?.restart()]);
    }
  }, 60_000);
});

describe('a NATS node killed', () => {
  it(`chat goes on within ${NODE_FAILOVER_BOUND_MS} ms on every gateway; nothing acknowledged is lost or doubled, no gaps`, async () => {
    const rooms = [
      await cluster.room('Node kill A'),
      await cluster.room('Node kill B'),
      await cluster.room('Node kill C'),
    ];
    const byGateway = await spreadClients(2, rooms);
    const group = [...byGateway.values()].flat();
    const gatewayOf = new Map(group.map((c) => [c, [...byGateway].find(([, cs]) => cs.includes(c))?.[0]]));
    const traffic = chat(group, rooms, 'nk');
    await sleep(700);
    // Node 2 holds gateway-2 and rooms-1 (and the routes from the others).
    const node = cluster.processes.natsCluster?.nodes[1];
    if (!node) throw new Error('no node 2');
    const onNode = cluster.processes.services().filter((s) => nodeOf(cluster, s) === 2);
    expect(onNode.map((s) => s.label).sort()).toEqual(['gateway-2', 'rooms-1']);
    const killedAt = Date.now();
    // Down for 3 s, then back (as a supervisor would restart it): the services on it have moved on by then.
    const restarted = node.restart(3000);
    await sleep(NODE_FAILOVER_BOUND_MS + 1000);
    const records = await traffic.stop();
    await restarted;

    // Per client: the first send acknowledged after its last failure since the kill, measured from the kill.
    const failover = group.map((client, c) => {
      const mine = records.filter((r) => r.client === c && r.startedAt + r.latencyMs >= killedAt);
      const lastFailure = mine.filter((r) => r.outcome.kind !== 'acked').at(-1);
      const back = mine.find(
        (r) => r.outcome.kind === 'acked' && (!lastFailure || r.startedAt > lastFailure.startedAt),
      );
      return {
        client: c,
        gateway: gatewayOf.get(client)?.label,
        backAfterMs: back ? back.startedAt + back.latencyMs - killedAt : Infinity,
      };
    });
    for (const f of failover)
      expect(f.backAfterMs, `client ${f.client} on ${f.gateway}`).toBeLessThan(NODE_FAILOVER_BOUND_MS);
    const check = await checkStore(cluster.databaseUrl, rooms, records);
    expect(check.lost, 'acknowledged but not stored').toEqual([]);
    expect(check.mismatched).toEqual([]);
    expect(check.duplicates, 'stored twice').toEqual([]);
    expect(check.gaps).toEqual([]);
    const failed = records.filter((r) => r.outcome.kind !== 'acked');
    // A refusal is UNAVAILABLE within the request's deadline, never a hang.
    expect(failed.filter((r) => r.outcome.kind === 'hang').map(describeOutcome)).toEqual([]);
    await compareWithStore(group, rooms);
    reliability('cluster: a NATS node killed', {
      sends: records.length,
      refused: failed.map(describeOutcome),
      storedThoughNotAcked: check.storedThoughNotAcked,
      reconnects: group.reduce((n, c) => n + c.disconnects.length, 0),
      backAfterMs: failover.map((f) => `${f.gateway}:${f.backAfterMs}`),
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
  }, 90_000);
});

describe('a gateway killed', () => {
  it('its clients reconnect through the front to the others and miss nothing', async () => {
    const rooms = [await cluster.room('Gateway kill A'), await cluster.room('Gateway kill B')];
    const byGateway = await spreadClients(2, rooms);
    const group = [...byGateway.values()].flat();
    const doomed = cluster.processes.gateways[0] as ServiceProcess;
    const onDoomed = byGateway.get(doomed) ?? [];
    const traffic = chat(group, rooms, 'gk');
    await sleep(700);
    const killedAt = Date.now();
    await doomed.kill('SIGKILL');
    // Until each of the dead gateway's clients is back and has sent again.
    const deadline = Date.now() + 15_000;
    const sentAgain = (client: ResumingClient) =>
      traffic.records.some(
        (r) => r.client === group.indexOf(client) && r.startedAt > killedAt && r.outcome.kind === 'acked',
      );
    while (!onDoomed.every(sentAgain) && Date.now() < deadline) await sleep(50);
    await sleep(500);
    const records = await traffic.stop();

    for (const client of onDoomed) {
      expect(client.disconnects).toHaveLength(1);
      expect(client.disconnects[0]?.resumedAfterMs).toBeDefined();
    }
    for (const client of group.filter((c) => !onDoomed.includes(c))) expect(client.disconnects).toEqual([]);
    const check = await checkStore(cluster.databaseUrl, rooms, records);
    expect(check.lost, 'acknowledged but not stored').toEqual([]);
    expect(check.duplicates, 'stored twice').toEqual([]);
    expect(check.gaps).toEqual([]);
    // A send under way when the socket died has no answer (closed); nothing else may fail.
    expect(
      records.filter((r) => r.outcome.kind !== 'acked' && r.outcome.kind !== 'closed').map(describeOutcome),
    ).toEqual([]);
    await compareWithStore(group, rooms);
    reliability('cluster: a gateway killed', {
      clientsMoved: onDoomed.length,
      resumedAfterMs: onDoomed.map((c) => c.disconnects[0]?.resumedAfterMs),
      cutOff: records.filter((r) => r.outcome.kind === 'closed').length,
      cutOffButStored: check.storedThoughNotAcked,
    });
  }, 60_000);
});
