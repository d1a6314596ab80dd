/**
 * The database crashes and comes back while users are chatting. It runs on a private Postgres cluster: the
 * shared server on 5432 serves other suites and must never be restarted.
 */
import { type PostgresServerHandle, startPostgresServer } from '@chat/test-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkStore,
  type FaultStack,
  describeOutcome,
  printLogsOnFailure,
  REQUEST_TIMEOUT_MS,
  reliability,
  sleep,
  startFaultStack,
  Traffic,
} from './harness.js';

let postgres: PostgresServerHandle;
let stack: FaultStack;
beforeAll(async () => {
  postgres = await startPostgresServer();
  stack = await startFaultStack({ databaseUrl: postgres.url() });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await postgres?.cleanup();
}, 60_000);
printLogsOnFailure(() => stack && `${stack.logs()}\n===== postgres =====\n${postgres.log()}`);

describe('Postgres restarted during steady traffic', () => {
  it('refuses sends with UNAVAILABLE while it is down, takes them again after, and loses no acknowledged message', async () => {
    const rooms = [await stack.room('Archive one'), await stack.room('Archive two')];
    const sockets = await stack.chatters(4, rooms);
    // Someone who logs in while the database is down, and after.
    const [visitor] = await stack.users(1);

    const traffic = new Traffic(sockets, rooms, { tag: 'pg', pauseMs: 20 });
    await sleep(1000);
    // Under load the crash always finds a batch inside its transaction; make sure this one does too, by
    // holding the lock on a room's row for a moment so the writer waits with its connection checked out.
    const locker = new pg.Client({ connectionString: stack.databaseUrl });
    await locker.connect();
    locker.on('error', () => {});
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM rooms.rooms WHERE id = $1 FOR UPDATE', [rooms[0]]);
    await sleep(150);
    // `immediate` is a crash: no checkpoint, connections cut mid-transaction, recovery from WAL at start.
    const downAt = Date.now();
    await postgres.stop('immediate');
    const stoppedAt = Date.now();
    await locker.end().catch(() => {});
    const loginWhileDown = await stack.call('POST', '/api/auth/login', {
      body: { username: visitor!.username, password: `${visitor!.username}-password` },
    });
    await sleep(1500);
    const startAt = Date.now();
    await postgres.start();
    const upAt = Date.now();
    await sleep(2000);
    const records = await traffic.stop();

    const whileDown = records.filter((r) => r.startedAt >= stoppedAt && r.startedAt + r.latencyMs <= startAt);
    const failed = records.filter((r) => r.outcome.kind !== 'acked');
    const firstAckAfterUp = records.find((r) => r.startedAt >= upAt && r.outcome.kind === 'acked');
    const lastSecond = records.filter((r) => r.startedAt >= Date.now() - 1000);
    const check = await checkStore(stack.databaseUrl, rooms, records);
    const loginAfter = await stack.call('POST', '/api/auth/login', {
      body: { username: visitor!.username, password: `${visitor!.username}-password` },
    });

    reliability('postgres restarted (crash)', {
      faultsInjected: 1,
      downMs: upAt - downAt,
      sends: records.length,
      acked: records.filter((r) => r.outcome.kind === 'acked').length,
      refusedWhileDown: whileDown.filter((r) => r.outcome.kind === 'error').length,
      maxRefusalMs: Math.max(0, ...failed.map((r) => r.latencyMs)),
      errorKinds: [...new Set(failed.map((r) => (r.outcome.kind === 'error' ? r.outcome.message : r.outcome.kind)))],
      firstAckMsAfterUp: firstAckAfterUp ? firstAckAfterUp.startedAt + firstAckAfterUp.latencyMs - upAt : null,
      hangs: records.filter((r) => r.outcome.kind === 'hang').length,
      lost: check.lost.length,
      storedThoughNotAcked: check.storedThoughNotAcked,
      seqGaps: check.gaps.length,
      unexpectedDisconnects: records.filter((r) => r.outcome.kind === 'closed').length,
      loginStatusWhileDown: loginWhileDown.status,
      loginStatusAfter: loginAfter.status,
      crashed: stack.processes
        .services()
        .filter((p) => !p.running)
        .map((p) => p.label),
    });

    // A lost database connection is an error to answer, not a reason to die (see the pool's 'connect' hook).
    for (const proc of stack.processes.services())
      expect(proc.running, `${proc.label} survived the database crash`).toBe(true);
    expect(loginAfter.status).toBe(200);

    // While down: every send is answered, with UNAVAILABLE, within its timeout.
    expect(whileDown.length).toBeGreaterThan(0);
    for (const r of failed) {
      expect(r.outcome, describeOutcome(r)).toMatchObject({ kind: 'error', code: 'UNAVAILABLE' });
      expect(r.latencyMs, describeOutcome(r)).toBeLessThan(REQUEST_TIMEOUT_MS + 1000);
    }
    expect(whileDown.filter((r) => r.outcome.kind === 'acked')).toEqual([]);
    // After: the service uses the database again by itself, on the same sockets.
    expect(lastSecond.length).toBeGreaterThan(0);
    expect(lastSecond.filter((r) => r.outcome.kind !== 'acked').map(describeOutcome)).toEqual([]);
    // And nothing acknowledged went missing in the crash.
    expect(check.lost, 'acknowledged but not stored').toEqual([]);
    expect(check.mismatched).toEqual([]);
    expect(check.gaps, 'seqs per room are 1..n').toEqual([]);
    expect(check.duplicates).toEqual([]);
  }, 40_000);
});
