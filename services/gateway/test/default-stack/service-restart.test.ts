/**
 * A service killed and started again while the embedded database it uses keeps running, as happens when a
 * developer restarts one service of the default stack: the new process's connections must find a clean session
 * (nothing of the dead one's prepared statements or half-done transaction), and nothing acknowledged is lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '@chat/embedded-postgres';
import { seedEmbeddedDatabase } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStore, type FaultStack, printLogsOnFailure, sleep, startFaultStack, Traffic } from '../faults/harness.js';

let dataDir: string;
let embedded: EmbeddedPostgres;
let stack: FaultStack;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'chat-embedded-restart-'));
  await seedEmbeddedDatabase(join(dataDir, 'pglite'));
  embedded = await startEmbeddedPostgres({ dataDir: join(dataDir, 'pglite') });
  // As `npm start` runs them on the embedded database: one connection each.
  const onePool = { DATABASE_POOL_MAX: '1' };
  stack = await startFaultStack({ databaseUrl: embedded.url, roomsEnv: onePool, authEnv: onePool });
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  await embedded?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);
printLogsOnFailure(() => stack?.logs());

describe('a service restarted while the embedded database keeps running', () => {
  it('rooms killed mid-chat and started again goes on storing, with no acknowledged message lost', async () => {
    const rooms = [await stack.room('Restarted on embedded')];
    const sockets = await stack.chatters(4, rooms);
    const traffic = new Traffic(sockets, rooms, { tag: 'embedded-restart' });
    await sleep(1000);
    const [roomsService] = stack.processes.rooms;
    await roomsService!.kill('SIGKILL');
    const restartedAt = Date.now();
    await roomsService!.restart();
    await sleep(2000);
    const records = await traffic.stop();

    const check = await checkStore(stack.databaseUrl, rooms, records);
    expect(check.lost).toEqual([]);
    expect(check.mismatched).toEqual([]);
    expect(check.duplicates).toEqual([]);
    expect(check.gaps).toEqual([]);
    const ackedAfter = traffic.acked().filter((r) => r.startedAt >= restartedAt);
    expect(ackedAfter.length).toBeGreaterThan(0);
  }, 90_000);

  it('auth killed and started again lets people log in', async () => {
    await stack.processes.auth.kill('SIGKILL');
    await stack.processes.auth.restart();
    const user = await stack.user();
    expect(user.token).toEqual(expect.any(String));
  }, 60_000);
});
