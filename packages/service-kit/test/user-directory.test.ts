import { Subjects } from '@chat/protocol';
import { connectNats, encodeJson, type NatsConnection } from '@chat/nats';
import { type NatsServerHandle, startNatsServer } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userDirectory } from '../src/index.js';

let server: NatsServerHandle;
let nc: NatsConnection;
let asked = 0;
const users = new Map([
  ['u1', { id: 'u1', username: 'ann', isStaff: true, isAdmin: false, disabled: false, sessionVersion: 0 }],
]);

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, name: 'directory-test' });
  // What the auth service answers on auth.user.get, reduced to a table the test can change.
  nc.subscribe(Subjects.auth.userGet, {
    callback: (_err, msg) => {
      asked++;
      const { id } = msg.json<{ id: string }>();
      const user = users.get(id);
      msg.respond(encodeJson(user ?? null));
    },
  });
  await nc.flush();
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

describe('the user directory', () => {
  it('asks auth once for a crowd of simultaneous lookups of one user', async () => {
    const directory = userDirectory(nc, { timeoutMs: 1000, ttlMs: 60_000 });
    asked = 0;
    const answers = await Promise.all(Array.from({ length: 50 }, () => directory.lookup('u1')));
    expect(asked).toBe(1);
    expect(answers.every((a) => a?.isStaff === true)).toBe(true);
    directory.close();
  });

  it('drops a kept answer the moment auth announces a change', async () => {
    const directory = userDirectory(nc, { timeoutMs: 1000, ttlMs: 60_000 });
    expect((await directory.lookup('u1'))?.isStaff).toBe(true);
    users.set('u1', { ...users.get('u1')!, isStaff: false });
    expect((await directory.lookup('u1'))?.isStaff).toBe(true);
    nc.publish(Subjects.userChanged, encodeJson({ id: 'u1' }));
    await nc.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect((await directory.lookup('u1'))?.isStaff).toBe(false);
    directory.close();
  });

  it('asks again when asked for a fresh answer, and keeps nothing with a zero lifetime', async () => {
    const directory = userDirectory(nc, { timeoutMs: 1000, ttlMs: 0 });
    asked = 0;
    await directory.lookup('u1');
    await directory.lookup('u1');
    expect(asked).toBe(2);
    const cached = userDirectory(nc, { timeoutMs: 1000, ttlMs: 60_000 });
    await cached.lookup('u1');
    await cached.lookup('u1', { fresh: true });
    expect(asked).toBe(4);
    directory.close();
    cached.close();
  });
});
