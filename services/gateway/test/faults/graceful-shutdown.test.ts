/** SIGTERM, as an orchestrator sends it on a deploy: services stop within a bound and nobody is left guessing. */
import { portAccepts } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkStore,
  type FaultStack,
  HANG_MS,
  describeOutcome,
  printLogsOnFailure,
  reliability,
  sleep,
  startFaultStack,
  Traffic,
} from './harness.js';

/** close-with-grace's delay in each server.ts: past it the process exits with 1. */
const SHUTDOWN_BOUND_MS = 10_000;

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack({ gateways: 2 });
}, 60_000);
afterAll(() => stack?.stop(), 60_000);
printLogsOnFailure(() => stack?.logs());

describe('graceful shutdown on SIGTERM', () => {
  it('a gateway tells its clients to reconnect (1012), stops accepting and exits 0 within the bound', async () => {
    const gateway = stack.processes.gateways[1]!;
    const rooms = [await stack.room('Leaving')];
    const sockets = await stack.chatters(4, rooms, gateway);
    const traffic = new Traffic(sockets, rooms, { tag: 'gw-term', pauseMs: 10 });
    await sleep(500);

    const termAt = Date.now();
    const exited = gateway.kill('SIGTERM');
    const closes = await Promise.all(sockets.map((s) => s.closed));
    const closedMs = Date.now() - termAt;
    const exit = await exited;
    const records = await traffic.stop();

    expect(closes.map((c) => c.code)).toEqual(sockets.map(() => 1012));
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - termAt).toBeLessThan(SHUTDOWN_BOUND_MS);
    expect(await portAccepts(gateway.port)).toBe(false);
    // A send is acknowledged (and then stored), or refused with UNAVAILABLE while the gateway drains (and then
    // not stored, so the client may safely send it again), or cut off by the close; never anything else.
    const refused = records.filter(
      (r) => r.outcome.kind === 'hang' || (r.outcome.kind === 'error' && r.outcome.code !== 'UNAVAILABLE'),
    );
    expect(refused.map(describeOutcome)).toEqual([]);
    const check = await checkStore(stack.databaseUrl, rooms, records);
    expect(check.lost).toEqual([]);
    expect(check.gaps).toEqual([]);
    // Draining answers what is under way before closing, so nothing is stored without its acknowledgement.
    expect(check.storedThoughNotAcked).toBe(0);

    reliability('gateway SIGTERM', {
      faultsInjected: 1,
      clients: sockets.length,
      closeCodes: [...new Set(closes.map((c) => c.code))],
      allClosedAfterMs: closedMs,
      exitCode: exit.code,
      exitAfterMs: exit.at - termAt,
      acked: records.filter((r) => r.outcome.kind === 'acked').length,
      cutOffByClose: records.filter((r) => r.outcome.kind === 'closed').length,
      cutOffButStored: check.storedThoughNotAcked,
      lost: check.lost.length,
    });
  }, 30_000);

  it('the rooms service answers or refuses every send under way, loses none it acknowledged, and exits 0 within the bound', async () => {
    const rooms = [await stack.room('Closing one'), await stack.room('Closing two')];
    const sockets = await stack.chatters(6, rooms);
    const traffic = new Traffic(sockets, rooms, { tag: 'rooms-term', pauseMs: 0 });
    await sleep(1000);

    const [only] = stack.processes.rooms;
    const termAt = Date.now();
    const exit = await only!.kill('SIGTERM');
    await sleep(500);
    const records = await traffic.stop();

    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - termAt).toBeLessThan(SHUTDOWN_BOUND_MS);
    // Every send got its reply in time: acknowledged, or refused with UNAVAILABLE. None hung, none vanished.
    const failed = records.filter((r) => r.outcome.kind !== 'acked');
    for (const r of failed) expect(r.outcome, describeOutcome(r)).toMatchObject({ kind: 'error', code: 'UNAVAILABLE' });
    expect(Math.max(...records.map((r) => r.latencyMs))).toBeLessThan(HANG_MS);
    const check = await checkStore(stack.databaseUrl, rooms, records);
    expect(check.lost, 'acknowledged but not stored').toEqual([]);
    expect(check.mismatched).toEqual([]);
    expect(check.gaps).toEqual([]);
    const underWay = records.filter((r) => r.startedAt <= termAt && r.startedAt + r.latencyMs >= termAt);

    reliability('rooms SIGTERM', {
      faultsInjected: 1,
      exitCode: exit.code,
      exitAfterMs: exit.at - termAt,
      sends: records.length,
      acked: records.filter((r) => r.outcome.kind === 'acked').length,
      underWayAtSigterm: underWay.length,
      underWayAcked: underWay.filter((r) => r.outcome.kind === 'acked').length,
      refusedUnavailable: failed.length,
      maxReplyMs: Math.max(...records.map((r) => r.latencyMs)),
      storedThoughRefused: check.storedThoughNotAcked,
      lost: check.lost.length,
      hangs: records.filter((r) => r.outcome.kind === 'hang').length,
    });
    await only!.restart();
  }, 30_000);
});
