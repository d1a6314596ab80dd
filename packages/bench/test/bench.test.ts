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

  // Every step, not only the one that held: on a machine busy with other suites even a tiny step may miss the
  // latency limit, but no message may be lost at any rate, and every latency must be measured.
  it('delivers every fanout message to every member, with latencies measured', () => {
    for (const r of Object.values(results.scenarios.fanout ?? {})) {
      expect(r.steps.length).toBeGreaterThan(0);
      for (const step of r.steps) {
        expect(step.sent).toBeGreaterThan(0);
        expect(step.expected).toBe(step.sent * r.membersPerRoom);
        expect(step.delivered).toBe(step.expected);
        expect(step.lost).toBe(0);
        expect(step.latency.count).toBe(step.delivered);
        expect(step.latency.p50).toBeGreaterThan(0);
        expect(step.latency.p99).toBeGreaterThanOrEqual(step.latency.p50);
        expect(step.latency.max).toBeGreaterThanOrEqual(step.latency.p99);
      }
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

  it('acknowledges every send and commits every acknowledged one to the store', () => {
    const r = results.scenarios.persistence!.stack!;
    expect(r.steps.length).toBeGreaterThan(0);
    for (const step of r.steps) {
      expect(step.sent).toBeGreaterThan(0);
      expect(step.ackFailed).toBe(0);
      expect(step.ack.count).toBe(step.sent);
      expect(step.ackedPerSec).toBeGreaterThan(0);
    }
    expect(r.acked).toBeGreaterThanOrEqual(r.steps.reduce((sum, step) => sum + step.sent, 0));
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
