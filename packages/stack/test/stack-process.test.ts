import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureNatsCredentials, natsCredentialsFile } from '../src/nats-credentials.js';
import { startNatsServer } from '../src/nats-server.js';
import { portAccepts } from '../src/ports.js';
import { StackProcess } from '../src/stack-process.js';

const node = (script: string) => ({ command: process.execPath, args: ['-e', script], env: {} });

describe('a stack process', () => {
  it('is killed when it ignores SIGTERM past the grace period', async () => {
    const proc = await StackProcess.spawn({
      label: 'stubborn',
      ...node("process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)"),
      logs: 'memory',
    });
    await proc.waitUntil('up', async () => proc.logs().includes('up'), 5000);
    const exit = await proc.stop(300);
    expect(exit.signal).toBe('SIGKILL');
    expect(proc.running).toBe(false);
  });

  it('says what it printed when it exits before it is ready', async () => {
    const proc = await StackProcess.spawn({
      label: 'quitter',
      ...node("console.error('no config'); process.exit(3)"),
      logs: 'memory',
    });
    await expect(proc.waitUntil('ready', async () => false, 5000)).rejects.toThrow(
      /quitter exited before it was ready[\s\S]*no config/,
    );
  });

  it('appends its output to a log file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-logs-'));
    try {
      const file = join(dir, 'one.log');
      const proc = await StackProcess.spawn({ label: 'writer', ...node("console.log('to the file')"), logs: { file } });
      await proc.exited;
      expect(readFileSync(file, 'utf8')).toBe('to the file\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cannot be started when the command is missing, and says which', async () => {
    await expect(
      StackProcess.spawn({ label: 'ghost', command: 'no-such-command-here', args: [], env: {}, logs: 'memory' }),
    ).rejects.toThrow(/ghost could not be started \(no-such-command-here/);
  });
});

describe('the stack nats-server', () => {
  it('is back on the same port after a crash and a restart, and gone after stop', async () => {
    const nats = await startNatsServer();
    await nats.restart(100);
    expect(await portAccepts(nats.port)).toBe(true);
    await nats.stop();
    expect(nats.running).toBe(false);
    expect(await portAccepts(nats.port)).toBe(false);
  });
});

describe("the dev bus's passwords", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stack-credentials-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('are generated once, kept readable by the owner only, and a damaged file is replaced', () => {
    const first = ensureNatsCredentials(dataDir);
    expect(Object.keys(first).sort()).toEqual(['auth', 'gateway', 'operator', 'rooms']);
    expect(ensureNatsCredentials(dataDir)).toEqual(first);
    const file = natsCredentialsFile(dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, '{ not json');
    chmodSync(file, 0o644);
    const replaced = ensureNatsCredentials(dataDir);
    expect(replaced.auth).not.toBe(first.auth);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
