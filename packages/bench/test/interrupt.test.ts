/**
 * Ctrl-C in the middle of a bench run: the terminal sends SIGINT to the bench and every process it started.
 * The bench must still stop the stack it started and drop its database, and say it was interrupted.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'chat-bench-interrupt-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return ''; // gone meanwhile
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function benchDatabases(benchPid: number): Promise<string[]> {
  const client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `chat_bench_${benchPid}_%`,
    ]);
    return rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

describe('interrupting the bench', () => {
  it('stops every process it started and drops its database, exiting with 130', async () => {
    // Its own process group, so that one signal reaches all of it, as a terminal's Ctrl-C does.
    const bench = spawn(
      process.execPath,
      [cli, '--quick', '--scenarios', 'persistence', '--step-ms', '30000', '--out', out],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    bench.stdout.on('data', (chunk) => {
      output += chunk;
    });
    bench.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => bench.on('exit', (code) => resolve(code)));
    const benchPid = bench.pid as number;

    // Wait until the stack is up and the generators run (they are forked only once the whole stack has
    // started, which takes seconds on a busy machine); the first step lasts 30 s, so the interrupt lands in it.
    const deadline = Date.now() + 90_000;
    let started = childrenOf(benchPid);
    while (!started.some((pid) => commandOf(pid).includes('worker.js'))) {
      if (Date.now() > deadline) throw new Error(`the bench never started its generators:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      started = childrenOf(benchPid);
    }
    expect(await benchDatabases(benchPid)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    started = childrenOf(benchPid);
    const commands = started.map(commandOf).join('\n');
    for (const part of ['nats-server', 'services/auth/', 'services/rooms/', 'services/gateway/', 'worker.js']) {
      expect(commands).toContain(part);
    }

    process.kill(-benchPid, 'SIGINT');
    expect(await exited).toBe(130);
    expect(output).toContain('interrupted');
    expect(started.filter(alive)).toEqual([]);
    expect(await benchDatabases(benchPid)).toEqual([]);
  }, 150_000);
});
