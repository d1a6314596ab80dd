/**
 * `npm start`'s NATS is locked like the compose stack's: its nats-server reads deploy/nats-server.conf with
 * passwords generated into the data folder, so a local process without them cannot even connect (it could
 * otherwise read rooms.history, send as anyone, or answer auth.user.get). The services, each with its own user,
 * work as before, and the developer can watch everything with the operator's password the launcher records.
 * What each user may do is shown against the same file in ../security/nats-permissions.test.ts.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connectNats, type NatsConnection } from '@chat/nats';
import { openSocket, repoRoot, restClient } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNatsCredentials } from '@chat/stack';
import { createSuperuser, type DevStack, newDataDir, type StackRecord, startDevStack } from './dev-stack.js';

const PASSWORD = 'a long password';
let dataDir: string | undefined;
let stack: DevStack;
let record: StackRecord;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  dataDir = await newDataDir();
  stack = await startDevStack(dataDir);
  record = stack.record() as StackRecord;
}, 120_000);
afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close()));
  if (stack) {
    stack.interrupt();
    await stack.exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

function natsLog(): string {
  return readFileSync(join(stack.dataDir, 'nats-server.log'), 'utf8');
}

describe("npm start's NATS", () => {
  it('refuses a client without credentials, and one with a wrong password for any user', async () => {
    await expect(connectNats({ url: record.natsUrl, name: 'intruder' })).rejects.toMatchObject({
      name: 'AuthorizationError',
    });
    for (const user of ['auth', 'rooms', 'gateway', 'operator']) {
      await expect(
        connectNats({ url: record.natsUrl, name: 'intruder', user, pass: 'guessed' }),
        user,
      ).rejects.toMatchObject({ name: 'AuthorizationError' });
    }
  });

  it('keeps the passwords in the data folder, readable by the owner only, and the same on a later start', () => {
    const file = join(stack.dataDir, 'nats-credentials.json');
    const kept = JSON.parse(readFileSync(file, 'utf8'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(stack.dataDir, 'stack.json')).mode & 0o777).toBe(0o600);
    expect(record.natsOperator).toEqual({ user: 'operator', password: kept.operator });
    // What the next start does with the file: take it as it is.
    expect(ensureNatsCredentials(stack.dataDir)).toEqual(kept);
    expect(stack.output()).toContain(`--user operator --password ${kept.operator} sub '>'`);
    // The very file the compose stack uses, not a copy that could drift from it.
    expect(natsLog()).toContain(`Using configuration file: ${join(repoRoot, 'deploy', 'nats-server.conf')}`);
  });

  it('lets people chat, shows it to the operator, and the services cause no permission violation', async () => {
    // The refused connections above are logged too; only what the services do from here on counts.
    const logBefore = natsLog().length;
    const operator = await connectNats({
      url: record.natsUrl,
      name: 'developer',
      user: 'operator',
      pass: record.natsOperator?.password,
    });
    connections.push(operator);
    const watched: string[] = [];
    operator.subscribe('room.>', { callback: (_err, msg) => watched.push(msg.subject) });
    await operator.flush();

    const made = createSuperuser(stack.dataDir, 'admin', PASSWORD);
    expect(made.status, made.stderr).toBe(0);
    const { call, login } = restClient(stack.base);
    const token = await login('admin', PASSWORD);
    const room = await call('POST', '/api/rooms', { token, body: { title: 'Locked bus' } });
    expect(room.status).toBe(201);
    const socket = await openSocket(`ws://127.0.0.1:${stack.port}/ws`, { token });
    expect((await socket.request({ type: 'join', room: room.body.id })).ok).toBe(true);
    expect(await socket.request({ type: 'send', room: room.body.id, text: 'over a locked bus' })).toMatchObject({
      ok: true,
    });
    await socket.waitFor((f) => f.type === 'message' && f.message.text === 'over a locked bus');
    await expect.poll(() => watched).toContain(`room.${room.body.id}`);
    await socket.close();
    expect(natsLog().slice(logBefore)).not.toMatch(/Violation/i);
  }, 60_000);
});
