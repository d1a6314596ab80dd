/** A gateway is killed (SIGKILL) with clients attached; another gateway is there to take them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkStore,
  type FaultStack,
  printLogsOnFailure,
  reliability,
  type SendOutcome,
  type SendRecord,
  sleep,
  startFaultStack,
  storedMessages,
  trySend,
  wsUrl,
} from './harness.js';
import { ResumingClient } from './resuming-client.js';

let stack: FaultStack;
const clients: ResumingClient[] = [];
beforeAll(async () => {
  stack = await startFaultStack({ gateways: 2 });
}, 60_000);
afterAll(async () => {
  // Before the gateways go: a client whose socket closes would otherwise look for another one.
  for (const client of clients) await client.stop();
  await stack?.stop();
}, 60_000);
printLogsOnFailure(() => stack?.logs());

describe('gateway killed with clients attached', () => {
  it('its clients reconnect to the other gateway and resume with no gap and no duplicate', async () => {
    const [doomed, survivor] = stack.processes.gateways;
    const rooms = [await stack.room('Relay one'), await stack.room('Relay two')];
    const users = await stack.users(4);
    const live = () => stack.processes.gateways.filter((g) => g.running).map(wsUrl);
    const all = () => stack.processes.gateways.map(wsUrl);
    // Clients 0 and 1 start on the gateway that will die, 2 and 3 on the other. The first two stay away
    // until more has been said than a join reply carries (50 per room), so they need `history` to catch up.
    let releaseGate!: () => void;
    const gate = new Promise<void>((resolve) => {
      releaseGate = resolve;
    });
    clients.push(
      ...users.map((u, i) => new ResumingClient(u.token, all, i < 2 ? 0 : 1, rooms, { beforeReconnect: () => gate })),
    );
    await Promise.all(clients.map((c) => c.start()));

    // Everybody chats; a client whose socket is gone waits until it is back, then goes on.
    const records: SendRecord[] = [];
    let running = true;
    const loops = clients.map(async (client, c) => {
      for (let i = 0; running; i++) {
        await client.whenReady();
        const room = rooms[i % rooms.length] as string;
        const text = `relay-c${c}-${i}`;
        const startedAt = Date.now();
        const outcome: SendOutcome = await trySend(client.socket, room, text);
        records.push({ client: c, room, text, startedAt, latencyMs: Date.now() - startedAt, outcome });
        await sleep(5);
      }
    });

    await sleep(1000);
    const killedAt = Date.now();
    await doomed!.kill('SIGKILL');
    const ackedSinceKill = () => records.filter((r) => r.startedAt >= killedAt && r.outcome.kind === 'acked').length;
    while (ackedSinceKill() < 150 && Date.now() - killedAt < 10_000) await sleep(20);
    const ackedWhileAway = ackedSinceKill();
    const releasedAt = Date.now();
    releaseGate();
    await sleep(1000);
    running = false;
    await Promise.all(loops);
    expect(live()).toEqual([wsUrl(survivor!)]);

    // Settle: every client ends up showing exactly what the database holds, each seq once, in order.
    const stored = await storedMessages(stack.databaseUrl, rooms);
    const deadline = Date.now() + 10_000;
    for (const client of clients) {
      await client.whenReady();
      for (const room of rooms) {
        const last = stored.filter((m) => m.room === room).at(-1)?.seq ?? 0;
        while (client.contiguous(room) < last && Date.now() < deadline) await sleep(50);
      }
    }
    for (const [c, client] of clients.entries()) {
      for (const room of rooms) {
        const expected = stored.filter((m) => m.room === room).map((m) => `${m.seq}:${m.text}`);
        const shown = client.shown(room).map((m) => `${m.seq}:${m.text}`);
        expect(shown, `client ${c} in ${room}`).toEqual(expected);
      }
      expect(client.outOfOrder, `client ${c}: events out of seq order`).toBe(0);
    }
    const check = await checkStore(stack.databaseUrl, rooms, records);
    expect(check.lost, 'acknowledged but not stored').toEqual([]);
    expect(check.gaps).toEqual([]);
    expect(check.duplicates, 'a message stored twice').toEqual([]);

    // Only the dead gateway's clients were disconnected, once each, and they came back (once let).
    const onDoomed = clients.slice(0, 2);
    const onSurvivor = clients.slice(2);
    for (const client of onDoomed) {
      expect(client.disconnects).toHaveLength(1);
      expect(client.disconnects[0]!.resumedAfterMs).toBeLessThan(12_000);
    }
    for (const client of onSurvivor) expect(client.disconnects).toEqual([]);
    for (const client of onDoomed) expect(client.historyFetches, 'caught up through history').toBeGreaterThan(0);
    // A send under way when the gateway died has no reply (closed); the sender does not know if it was stored.
    const cutOff = records.filter((r) => r.outcome.kind === 'closed');
    const otherwiseFailed = records.filter((r) => r.outcome.kind !== 'acked' && r.outcome.kind !== 'closed');
    expect(otherwiseFailed).toEqual([]);

    reliability('gateway killed, two gateways', {
      faultsInjected: 1,
      clients: clients.length,
      acked: records.filter((r) => r.outcome.kind === 'acked').length,
      sendsCutOffByKill: cutOff.length,
      cutOffButStored: check.storedThoughNotAcked,
      lost: check.lost.length,
      expectedDisconnects: onDoomed.length,
      unexpectedDisconnects: onSurvivor.reduce((n, c) => n + c.disconnects.length, 0),
      awayMs: releasedAt - killedAt,
      rejoinAndCatchUpMs: onDoomed.map(
        (c) => (c.disconnects[0]?.at ?? 0) + (c.disconnects[0]?.resumedAfterMs ?? 0) - releasedAt,
      ),
      historyFetches: clients.reduce((n, c) => n + c.historyFetches, 0),
      ackedWhileAway,
      clientsShowingExactlyTheStore: `${clients.length}/${clients.length}`,
      messagesPerClient: stored.length,
    });
  }, 45_000);
});
