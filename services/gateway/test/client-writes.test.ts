/**
 * When frames written to client sockets leave (client-writes.ts): right after the turn on a quiet gateway,
 * gathered for at most the configured time on a busy one.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ClientWrites, type CorkableSocket, type CorkHolder } from '../src/client-writes.js';

/** A socket that only records when it was corked and uncorked. */
function recordingSocket() {
  const log: string[] = [];
  const socket: CorkableSocket = {
    cork: () => log.push('cork'),
    uncork: () => log.push(`uncork@${Math.round(performance.now())}`),
  };
  return { socket, log, uncorks: () => log.filter((l) => l.startsWith('uncork')).length };
}

const holder = (): CorkHolder => ({ corkedSocket: undefined });

describe('client writes', () => {
  it('with no gathering, every socket written in a turn is corked once and uncorked after the turn', async () => {
    const writes = new ClientWrites(0);
    const [a, b] = [recordingSocket(), recordingSocket()];
    const [ha, hb] = [holder(), holder()];
    for (let i = 0; i < 5; i++) {
      writes.hold(ha, a.socket);
      writes.hold(hb, b.socket);
    }
    expect(a.log).toEqual(['cork']);
    expect(ha.corkedSocket).toBe(a.socket);
    await nextTurn();
    expect(a.uncorks()).toBe(1);
    expect(b.uncorks()).toBe(1);
    expect(ha.corkedSocket).toBeUndefined();

    // The next turn's writes start a new batch, again flushed at once.
    writes.hold(ha, a.socket);
    await nextTurn();
    expect(a.uncorks()).toBe(2);
  });

  it('flushes at once after a quiet spell, and gathers writes that follow a flush within the window', async () => {
    const writes = new ClientWrites(200);
    const a = recordingSocket();
    const ha = holder();
    writes.hold(ha, a.socket);
    await nextTurn();
    expect(a.uncorks()).toBe(1); // quiet gateway: nothing waits

    const flushedAt = performance.now();
    writes.hold(ha, a.socket); // busy: right after a flush
    await nextTurn();
    expect(a.uncorks()).toBe(1);
    await sleep(15);
    writes.hold(ha, a.socket); // already corked: joins the same write
    expect(a.log.filter((l) => l === 'cork')).toHaveLength(2);
    await sleep(300);
    expect(a.uncorks()).toBe(2);
    const secondFlush = Number(a.log.at(-1)?.split('@')[1]);
    expect(secondFlush - flushedAt).toBeGreaterThanOrEqual(198);

    await sleep(250); // a quiet spell longer than the window
    writes.hold(ha, a.socket);
    await nextTurn();
    expect(a.uncorks()).toBe(3);
  });
});
