import { ChatError, compile, ErrorCode, HealthReport } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { readiness } from '../src/index.js';

const validReport = compile(HealthReport);
const never = () => new Promise<never>(() => {});

describe('the readiness runner', () => {
  it('is ok when every check answers, with how long each took', async () => {
    const report = await readiness('test', { nats: async () => {}, database: async () => 1 })();
    expect(validReport.check(report)).toBe(true);
    expect(report).toMatchObject({
      status: 'ok',
      service: 'test',
      checks: { nats: { ok: true }, database: { ok: true } },
    });
    expect(report.checks.nats?.error).toBeUndefined();
  });

  it('names the check that missed its deadline, and answers by then while the others still pass', async () => {
    const started = Date.now();
    const report = await readiness('test', { nats: async () => {}, database: never }, { timeoutMs: 100 })();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(report.status).toBe('unavailable');
    expect(report.checks.nats).toMatchObject({ ok: true });
    expect(report.checks.database).toMatchObject({ ok: false, error: 'no answer within 100 ms' });
    expect(report.checks.database?.ms).toBeGreaterThanOrEqual(99);
  });

  it('does not start a hung check again while it is still running: later probes fail at once', async () => {
    let started = 0;
    const ready = readiness(
      'test',
      {
        database: () => {
          started++;
          return never();
        },
      },
      { timeoutMs: 100 },
    );
    await ready();
    const before = Date.now();
    const again = await ready();
    expect(Date.now() - before).toBeLessThan(50);
    expect(again.checks.database).toMatchObject({ ok: false, error: 'no answer within 100 ms' });
    expect(started).toBe(1);
  });

  it('lets probes at the same moment share one run of each check', async () => {
    let started = 0;
    const ready = readiness('test', {
      database: async () => {
        started++;
        await new Promise((r) => setTimeout(r, 20));
      },
    });
    const reports = await Promise.all([ready(), ready(), ready()]);
    expect(reports.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(started).toBe(1);
    await ready();
    expect(started).toBe(2);
  });

  it("shows a ChatError's message, and of any other failure only its code, logging the whole error", async () => {
    const logged: object[] = [];
    const leaky = Object.assign(new Error('password authentication failed for user "chat" at db.internal'), {
      code: '28P01',
    });
    const report = await readiness(
      'test',
      {
        nats: async () => {
          throw new ChatError(ErrorCode.UNAVAILABLE, 'not connected to the server');
        },
        database: async () => {
          throw leaky;
        },
        other: () => {
          throw new Error('thrown before any promise');
        },
      },
      { log: { warn: (obj) => logged.push(obj) } },
    )();
    expect(report.checks).toMatchObject({
      nats: { ok: false, error: 'not connected to the server' },
      database: { ok: false, error: 'failed (28P01)' },
      other: { ok: false, error: 'failed' },
    });
    expect(logged).toContainEqual({ err: leaky, check: 'database' });
  });
});
