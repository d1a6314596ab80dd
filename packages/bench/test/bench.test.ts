/**
 * The bench's smoke run: every scenario end to end on the floor and the real stack at a tiny size. It proves
 * that the bench still runs and reports sane numbers; how fast anything is belongs to `npm run bench`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../src/results.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'chat-bench-'));
let results: Results;
let output: string;

beforeAll(async () => {
  const run = await promisify(execFile)(process.execPath, [cli, '--quick', '--out', out], { timeout: 110_000 });
  output = run.stdout;
  results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('a quick bench run', () => {
  it('runs every scenario on both the floor and the stack without errors', () => {
    expect(results.errors).toEqual([]);
    for (const target of ['floor', 'stack'] as const) {
      expect(results.scenarios.fanout?.[target]).toBeDefined();
      expect(results.scenarios.idle?.[target]).toBeDefined();
      expect(results.scenarios.storm?.[target]).toBeDefined();
    }
    expect(results.scenarios.persistence?.stack).toBeDefined();
  });

  it('delivers every fanout message to every member, with latencies measured', () => {
    for (const r of Object.values(results.scenarios.fanout ?? {})) {
      const first = r.steps[0]!;
      expect(first.sent).toBeGreaterThan(0);
      expect(first.expected).toBe(first.sent * r.membersPerRoom);
      expect(r.held).not.toBeNull();
      expect(r.held!.delivered).toBe(r.held!.expected);
      expect(r.held!.latency.count).toBe(r.held!.delivered);
      expect(r.held!.latency.p50).toBeGreaterThan(0);
      expect(r.held!.latency.p99).toBeGreaterThanOrEqual(r.held!.latency.p50);
      expect(r.held!.latency.max).toBeGreaterThanOrEqual(r.held!.latency.p99);
    }
  });

  it('measures memory per idle connection from the socket process', () => {
    for (const r of Object.values(results.scenarios.idle ?? {})) {
      expect(r.rssBeforeBytes).toBeGreaterThan(10 * 2 ** 20);
      expect(r.rssAfterBytes).toBeGreaterThan(0);
      expect(r.bytesPerConnection).toBe(Math.round((r.rssAfterBytes - r.rssBeforeBytes) / r.connections));
    }
  });

  it('gets every storm client into every room, with history in the rooms', () => {
    for (const r of Object.values(results.scenarios.storm ?? {})) {
      expect(r.allJoined).toBe(true);
      expect(r.joined).toBe(r.clients * r.roomsPerClient);
      expect(r.join.count).toBe(r.joined);
      expect(r.allInMs).toBeGreaterThan(0);
    }
  });

  it('commits every acknowledged send to the store', () => {
    const r = results.scenarios.persistence!.stack!;
    expect(r.held).not.toBeNull();
    expect(r.held!.ackedPerSec).toBeGreaterThan(0);
    expect(r.held!.ack.count).toBe(r.held!.sent);
    expect(r.acked).toBeGreaterThan(0);
    expect(r.storedMessages).toBeGreaterThanOrEqual(r.acked);
  });

  it('judges every target and writes the table and the chart', () => {
    expect(results.targets.map((t) => t.scenario)).toEqual(['fanout', 'idle', 'storm', 'persistence']);
    for (const t of results.targets) expect(typeof t.pass).toBe('boolean');
    expect(output).toMatch(/(PASS|FAIL) {2}fanout/);
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toContain('| scenario | metric | floor | stack |');
    expect(readFileSync(join(out, 'latency.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<path [\s\S]*<\/svg>\n$/);
  });
});
