import { ChatError, compile, ErrorCode, QUEUE_GROUP, Subjects, UserGetRequest } from '@chat/protocol';
import { connectNats, encodeJson, endpoint, type NatsConnection, startService } from '@chat/nats';
import { type NatsServerHandle, startNatsServer } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userDirectory } from '../src/index.js';

let server: NatsServerHandle;
let nc: NatsConnection;
let asked = 0;
const users = new Map<string, unknown>([
  ['u1', { id: 'u1', username: 'ann', isStaff: true, isAdmin: false, disabled: false, sessionVersion: 0 }],
  ['u2', { id: 'u2', username: 'bob', isStaff: false, isAdmin: false, disabled: false, sessionVersion: 0 }],
]);

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, name: 'directory-test' });
  // auth.user.get as the auth service answers it, from a table the test can change.
  const userGet = endpoint({
    subject: Subjects.auth.userGet,
    validator: compile(UserGetRequest),
    handle: async ({ id }) => {
      asked++;
      return users.get(id) ?? Promise.reject(new ChatError(ErrorCode.NOT_FOUND, 'no such user'));
    },
  });
  const quiet = { info() {}, warn() {}, error() {} };
  const spec = { name: 'users-table', version: '0.0.0', description: 'test users', queue: QUEUE_GROUP };
  await startService(nc, { ...spec, endpoints: { userGet } }, quiet);
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
    users.set('u1', { ...(users.get('u1') as object), isStaff: false });
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

  it('keeps "no such user" like any other answer', async () => {
    const directory = userDirectory(nc, { timeoutMs: 1000, ttlMs: 60_000 });
    asked = 0;
    expect(await directory.lookup('nobody')).toBeNull();
    expect(await directory.lookup('nobody')).toBeNull();
    expect(asked).toBe(1);
    directory.close();
  });

  it('keeps no failed lookup: the next one asks again', async () => {
    const directory = userDirectory(nc, { timeoutMs: 1000, ttlMs: 60_000 });
    users.set('u3', { id: 'u3', username: 'cy' });
    asked = 0;
    await expect(directory.lookup('u3')).rejects.toThrow(/unexpected user/);
    users.set('u3', { id: 'u3', username: 'cy', isStaff: false, isAdmin: false, disabled: false, sessionVersion: 0 });
    expect((await directory.lookup('u3'))?.username).toBe('cy');
    expect(asked).toBe(2);
    directory.close();
  });

  it('answers a lookup under way when the user changes, but keeps nothing from it', async () => {
    const directory = userDirectory(nc, { timeoutMs: 1000, ttlMs: 60_000 });
    asked = 0;
    const underWay = directory.lookup('u2');
    nc.publish(Subjects.userChanged, encodeJson({ id: 'u2' }));
    expect((await underWay)?.username).toBe('bob');
    await directory.lookup('u2');
    expect(asked).toBe(2);
    directory.close();
  });

  it('answers a fresh lookup as auth has the user after it was asked, sharing only lookups not yet sent', async () => {
    const directory = userDirectory(nc, { timeoutMs: 1000, ttlMs: 60_000 });
    users.set('u4', { id: 'u4', username: 'dee', isStaff: true, isAdmin: false, disabled: false, sessionVersion: 0 });
    expect((await directory.lookup('u4'))?.isStaff).toBe(true);
    asked = 0;
    // A crowd asking in one turn shares one request.
    const crowd = await Promise.all(Array.from({ length: 20 }, () => directory.lookup('u4', { fresh: true })));
    expect(asked).toBe(1);
    expect(crowd.every((u) => u?.isStaff === true)).toBe(true);
    // Changed without an announcement: a kept answer is the old one, a fresh one never is.
    users.set('u4', { ...(users.get('u4') as object), isStaff: false });
    const first = directory.lookup('u4', { fresh: true });
    await new Promise((r) => setImmediate(r)); // the first is on its way
    const later = [directory.lookup('u4', { fresh: true }), directory.lookup('u4', { fresh: true })];
    expect((await first)?.isStaff).toBe(false);
    expect((await Promise.all(later)).map((u) => u?.isStaff)).toEqual([false, false]);
    expect(asked).toBe(3);
    expect((await directory.lookup('u4'))?.isStaff).toBe(true);
    directory.close();
  });
});
