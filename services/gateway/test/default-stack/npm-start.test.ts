/**
 * The default stack, the way every newcomer meets it first: `npm start` with nothing configured (its own
 * nats-server, embedded Postgres), createsuperuser while it runs, chat across idle gaps longer than the database
 * pool's idle timeout, Ctrl-C, and a second start that still has the history.
 */
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSocket, restClient } from '@chat/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { createSuperuser, isRunning, newDataDir, startDevStack } from './dev-stack.js';

const PASSWORD = 'a long password';
const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** The launcher's own lines ("[stack] …"), in order. */
function stackLines(output: string): string[] {
  return output.split('\n').filter((line) => line.startsWith('[stack] '));
}

describe('npm start with the embedded defaults', () => {
  it('keeps storing messages across idle gaps, stops in order on Ctrl-C, and has the history after a restart', async () => {
    const dataDir = await newDataDir();
    dataDirs.push(dataDir);
    // The pool drops an idle connection after 300 ms, so every gap below opens a new one.
    const stack = await startDevStack(dataDir, { env: { DATABASE_IDLE_TIMEOUT_MS: '300' } });

    const made = createSuperuser(dataDir, 'admin', PASSWORD);
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);

    const { call, login } = restClient(stack.base);
    const token = await login('admin', PASSWORD);
    const room = await call('POST', '/api/rooms', { token, body: { title: 'Lobby' } });
    expect(room.status).toBe(201);
    const socket = await openSocket(`ws://127.0.0.1:${stack.port}/ws`, { token });
    expect((await socket.request({ type: 'join', room: room.body.id })).ok).toBe(true);

    const sent: string[] = [];
    for (const gapMs of [0, 1000, 2500]) {
      await sleep(gapMs);
      const text = `after ${gapMs} ms of quiet`;
      const reply = await socket.request({ type: 'send', room: room.body.id, text });
      expect(reply).toMatchObject({ ok: true });
      sent.push(text);
    }

    // Acknowledged, then Ctrl-C at once.
    const last = await socket.request({ type: 'send', room: room.body.id, text: 'the last word before Ctrl-C' });
    expect(last).toMatchObject({ ok: true });
    sent.push('the last word before Ctrl-C');
    const pids = stack.childPids();
    expect(pids.map((p) => p.name).sort()).toEqual(['auth', 'gateway', 'nats-server', 'rooms']);
    stack.interrupt();

    expect(await socket.closed).toMatchObject({ code: 1012 });
    expect(await stack.exited).toBe(0);
    const lines = stackLines(stack.output());
    const order = ['gateway stopped', 'auth and rooms stopped', 'nats-server stopped', 'embedded Postgres closed'];
    const positions = order.map((step) => lines.findIndex((line) => line.includes(step)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(stack.output()).not.toMatch(/second SIG|Error|EADDRINUSE/);
    expect(pids.filter(({ pid }) => isRunning(pid))).toEqual([]);
    expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);

    const again = await startDevStack(dataDir);
    const token2 = await restClient(again.base).login('admin', PASSWORD);
    const history = await restClient(again.base).call('GET', `/api/rooms/${room.body.id}/messages`, { token: token2 });
    expect(history.status).toBe(200);
    expect(history.body.messages.map((m: { text: string }) => m.text)).toEqual(sent);

    // SIGTERM to the launcher alone (as `kill <pid of npm start>` would reach it) stops everything as well.
    const pids2 = again.childPids();
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(pids2.filter(({ pid }) => isRunning(pid))).toEqual([]);
  }, 240_000);

  it('refuses a port already in use in one line naming PORT, and leaves nothing running', async () => {
    const dataDir = await newDataDir();
    dataDirs.push(dataDir);
    const squatter = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => squatter.once('listening', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      const stack = await startDevStack(dataDir, { port, waitForOpen: false });
      expect(await stack.exited).toBe(1);
      expect(stack.output().trim()).toBe(
        `[stack] port ${port} on 127.0.0.1 is already in use by another program; set PORT to a free port, e.g. PORT=8081 npm start`,
      );
      expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
      expect(existsSync(join(dataDir, 'nats-server.log'))).toBe(false);
    } finally {
      squatter.close();
    }
  }, 60_000);
});
