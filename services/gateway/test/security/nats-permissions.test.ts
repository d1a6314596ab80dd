/**
 * NATS least privilege, with the configuration the compose stack ships (deploy/nats-server.conf): each service
 * has its own user, allowed only its subjects. A gateway's credentials cannot fake a room event nor answer as
 * a service; the rooms service can publish room events; and the three services run with their credentials.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectNats, type NatsConnection } from '@chat/nats';
import { CloseCode } from '@chat/protocol';
import { freePort } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack as SecurityStack, startStack as startSecurityStack } from '../stack.js';

const configFile = fileURLToPath(new URL('../../../../deploy/nats-server.conf', import.meta.url));
const passwords = {
  auth: 'auth-test-pass',
  rooms: 'rooms-test-pass',
  gateway: 'gateway-test-pass',
  operator: 'operator-test-pass',
};

let server: ChildProcess;
let serverLog = '';
let url: string;
const connections: NatsConnection[] = [];
let tried = 0;

/**
 * test-kit's startNatsServer cannot pass the password variables nor move the monitoring port (8222 in the
 * file, which a second server on the machine would collide with), so the server is started here.
 */
beforeAll(async () => {
  const [port, monitorPort] = [await freePort(), await freePort()];
  url = `nats://127.0.0.1:${port}`;
  server = spawn(
    process.env.NATS_SERVER_BIN ?? 'nats-server',
    ['-c', configFile, '-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        NATS_AUTH_PASS: passwords.auth,
        NATS_ROOMS_PASS: passwords.rooms,
        NATS_GATEWAY_PASS: passwords.gateway,
        NATS_OPERATOR_PASS: passwords.operator,
      },
    },
  );
  server.stderr?.on('data', (chunk: Buffer) => {
    serverLog += chunk.toString();
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`nats-server exited:\n${serverLog}`);
    try {
      (await as('operator')).close();
      break;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`nats-server not ready: ${err}\n${serverLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});
afterAll(async () => {
  console.log(`[reliability] hostile inputs: ${tried} (NATS operations refused to the wrong credentials)`);
  await Promise.all(connections.map((nc) => nc.close()));
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGKILL');
    await exited;
  }
});

async function as(user: keyof typeof passwords): Promise<NatsConnection> {
  const nc = await connectNats({ url, name: `test-${user}`, user, pass: passwords[user] });
  connections.push(nc);
  return nc;
}

/** The next permission violation the server reports to this connection. */
async function violation(nc: NatsConnection, timeoutMs = 5000): Promise<{ operation: string; subject: string }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no permission violation reported')), timeoutMs);
    (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'error' && status.error?.name === 'PermissionViolationError') {
          clearTimeout(t);
          const { operation, subject } = status.error as unknown as { operation: string; subject: string };
          resolve({ operation, subject });
          return;
        }
      }
    })().catch(reject);
  });
}

/** Subscribes and resolves with the error the subscription was closed with, if the server refused it. */
async function refusedSubscription(nc: NatsConnection, subject: string, queue?: string): Promise<Error | undefined> {
  const sub = nc.subscribe(subject, queue ? { queue } : {});
  const closed = sub.closed.then((r) => r);
  await nc.flush();
  const outcome = await Promise.race([closed, new Promise<'open'>((r) => setTimeout(() => r('open'), 1000))]);
  if (outcome === 'open') {
    sub.unsubscribe();
    return undefined;
  }
  return outcome instanceof Error ? outcome : new Error('closed');
}

describe('deploy/nats-server.conf', () => {
  it('refuses wrong and missing passwords', async () => {
    tried += 2;
    await expect(connectNats({ url, name: 'x', user: 'gateway', pass: 'wrong' })).rejects.toThrow();
    await expect(connectNats({ url, name: 'x' })).rejects.toThrow();
  });

  it('does not let the gateway publish a room event: the server refuses it and no subscriber sees it', async () => {
    const operator = await as('operator');
    const seen: string[] = [];
    operator.subscribe('room.>', {
      callback: (_err, msg) => {
        seen.push(msg.string());
      },
    });
    await operator.flush();
    const gateway = await as('gateway');
    for (const subject of ['room.lobby', 'rooms.changed', 'auth.events.user.changed', 'room.lobby.extra']) {
      tried++;
      const refused = violation(gateway);
      gateway.publish(subject, JSON.stringify({ type: 'message', room: 'lobby', message: { text: 'fake' } }));
      await expect(refused).resolves.toMatchObject({ operation: 'publish', subject });
    }
    // The rooms service's credentials may; the operator sees that one and only that one.
    const rooms = await as('rooms');
    rooms.publish('room.lobby', 'real');
    await rooms.flush();
    await expect.poll(() => seen).toEqual(['real']);
    expect(gateway.isClosed()).toBe(false);
    // The server logs each one, which is what the last test relies on to show the services cause none.
    await expect.poll(() => serverLog).toMatch(/Publish Violation.*room\.lobby/);
  });

  it('does not let the gateway take requests meant for a service, nor answer as one', async () => {
    const gateway = await as('gateway');
    for (const [subject, queue] of [
      ['auth.user.get', 'q'],
      ['auth.user.get', undefined],
      ['rooms.send', 'q'],
      ['rooms.join', undefined],
      ['rooms.>', undefined],
      ['>', undefined],
      ['$SRV.>', undefined],
      // Other services' replies (a user's flags answered to rooms) are not the gateway's to read.
      ['_INBOX.>', undefined],
      ['_INBOX_rooms.>', undefined],
    ] as const) {
      tried++;
      const err = await refusedSubscription(gateway, subject, queue);
      expect(err?.name, `subscribe ${subject}`).toBe('PermissionViolationError');
    }
    // A reply to someone else's request goes to an inbox: the gateway may not publish there either.
    tried++;
    const refused = violation(gateway);
    gateway.publish('_INBOX.someone.1', '{"id":"x","isAdmin":true}');
    await expect(refused).resolves.toMatchObject({ operation: 'publish' });
    // While the real auth user may take auth.user.get requests.
    const auth = await as('auth');
    expect(await refusedSubscription(auth, 'auth.user.get', 'q')).toBeUndefined();
  });

  it('lets gateways pass typing notices to each other, one room at a time, and no one else send them', async () => {
    const [one, two] = [await as('gateway'), await as('gateway')];
    const got = two.subscribe('typing.lobby', { max: 1 });
    await two.flush();
    one.publish('typing.lobby', 'alice is typing');
    for await (const msg of got) expect(msg.string()).toBe('alice is typing');
    tried += 2;
    const widened = violation(one);
    one.publish('typing.lobby.extra', 'x');
    await expect(widened).resolves.toMatchObject({ operation: 'publish', subject: 'typing.lobby.extra' });
    const rooms = await as('rooms');
    const refused = violation(rooms);
    rooms.publish('typing.lobby', 'x');
    await expect(refused).resolves.toMatchObject({ operation: 'publish', subject: 'typing.lobby' });
  });

  it('lets the rooms credentials publish room events and nothing of auth', async () => {
    const rooms = await as('rooms');
    const operator = await as('operator');
    const got = operator.subscribe('room.x', { max: 1 });
    await operator.flush();
    rooms.publish('room.x', 'ok');
    for await (const msg of got) expect(msg.string()).toBe('ok');
    tried++;
    expect((await refusedSubscription(rooms, 'auth.user.get', 'q'))?.name).toBe('PermissionViolationError');
  });
});

describe('the services with their own credentials', () => {
  let stack: SecurityStack;
  let logBefore: number;
  beforeAll(async () => {
    logBefore = serverLog.length;
    const creds = (user: keyof typeof passwords) => ({ NATS_USER: user, NATS_PASS: passwords[user] });
    stack = await startSecurityStack({
      natsUrl: url,
      authEnv: creds('auth'),
      roomsEnv: creds('rooms'),
      gatewayEnv: creds('gateway'),
    });
  }, 60_000);
  afterAll(() => stack?.stop());

  it('chat works end to end, room and user changes reach the gateway, and the server logs no violation', async () => {
    const room = await stack.room('Permitted');
    const alice = await stack.user();
    const bob = await stack.user();
    const a = await stack.socket(alice.token);
    const b = await stack.socket(bob.token);
    expect((await a.request({ type: 'join', room })).ok).toBe(true);
    expect((await b.request({ type: 'join', room })).ok).toBe(true);
    const sent = await a.request({ type: 'send', room, text: 'over least privilege' });
    expect(sent.ok).toBe(true);
    await b.waitFor((f) => f.type === 'message' && f.message.text === 'over least privilege');
    expect((await b.request({ type: 'history', room })).ok).toBe(true);
    // rooms.changed (rooms → gateway): deleting the room takes both sockets out of it.
    await stack.call('DELETE', `/api/rooms/${room}`, { token: stack.adminToken });
    await a.waitFor((f) => f.type === 'removed' && f.room === room && f.reason === 'ROOM_INVALID');
    // auth.events.user.changed (auth → gateway): disabling bob closes his socket with 1008.
    await stack.call('PATCH', `/api/auth/users/${bob.id}`, { token: stack.adminToken, body: { disabled: true } });
    expect((await b.closed).code).toBe(CloseCode.POLICY);
    // auth.ready and rooms.ready (gateway → services): the gateway's readiness asks both.
    expect((await stack.call('GET', '/readyz')).body).toMatchObject({ status: 'ok' });
    // The server logs every violation (see the first test); the services caused none.
    expect(serverLog.slice(logBefore)).not.toMatch(/Violation/i);
  });
});
