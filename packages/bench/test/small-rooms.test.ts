/**
 * The small-rooms scenario at its quick size, on the scaled-out stack (three NATS nodes, a gateway on each): it
 * proves that the scenario runs and that what it reports adds up, never how fast anything is.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../src/results.js';
import type { SmallRoomsResult } from '../src/scenarios/small-rooms.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'chat-bench-small-'));
let results: Results;
let r: SmallRoomsResult;

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [cli, '--quick', '--scenarios', 'small-rooms', '--out', out], {
    timeout: 110_000,
  });
  results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  r = results.scenarios['small-rooms']?.cluster as SmallRoomsResult;
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('a quick run of many small rooms on three gateways', () => {
  it('gets every connection into its rooms of two or three members, spread over the three gateways', () => {
    expect(results.errors).toEqual([]);
    expect(r.gateways).toBe(3);
    expect(r.membersPerRoom).toEqual([2, 3]);
    expect(r.joins).toBe(r.connections * r.roomsPerConnection);
    expect(r.joins).toBe(r.rooms * 2.5);
    expect(r.perGateway.reduce((n, g) => n + g.connections, 0)).toBe(r.connections);
    for (const rooms of r.roomsPerGateway) expect(rooms).toBeGreaterThan(0);
  });

  it('counts two NATS subscriptions (messages, typing) per room per gateway, and every node knows them all', () => {
    const rooms = r.roomsPerGateway.reduce((a, b) => a + b, 0);
    // The gateways' own few subscriptions (inbox, announcements) come on top.
    expect(r.natsSubscriptions.byClient.gateway).toBeGreaterThanOrEqual(2 * rooms);
    expect(r.natsSubscriptions.byClient.gateway).toBeLessThan(2 * rooms + 100);
    expect(r.natsSubscriptions.perNode).toHaveLength(3);
    for (const n of r.natsSubscriptions.perNode) expect(n).toBeGreaterThanOrEqual(2 * rooms);
  });

  it('measures the joins and delivers every message in a small room to its members', () => {
    expect(r.joinAllMs).toBeGreaterThan(0);
    expect(r.joinCpuUsPerJoin).toBeGreaterThan(0);
    for (const g of r.perGateway) expect(g.rssAfterBytes).toBeGreaterThan(10 * 2 ** 20);
    expect(r.message.sent).toBeGreaterThan(0);
    expect(r.message.lost).toBe(0);
    expect(r.message.delivered).toBe(r.message.expected);
    expect(r.message.latency.count).toBe(r.message.delivered);
  });

  it('reports the scenario in results.md', () => {
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toContain('## Many small rooms');
  });
});
