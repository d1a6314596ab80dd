import { SESSION_COOKIE } from '@chat/protocol';
import { HandshakeRefused, openSocket } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgedTokens, resign } from '@chat/test-kit';
import { type Stack as SecurityStack, startStack as startSecurityStack } from '../stack.js';

let stack: SecurityStack;
let valid: string;
let forged: [string, string][];
let tried = 0;
beforeAll(async () => {
  stack = await startSecurityStack();
  valid = (await stack.user()).token;
  forged = forgedTokens(valid, stack.keys);
});
afterAll(async () => {
  console.log(`[reliability] hostile inputs: ${tried} (forged tokens and cross-site handshakes)`);
  await stack?.stop();
});

/** The handshake's refusal, or 'opened' (and the socket closed again) when it was let through. */
function handshake(options: Parameters<typeof openSocket>[1]): Promise<unknown> {
  return openSocket(stack.wsUrl, options).then(
    (s) => {
      s.ws.terminate();
      return 'opened';
    },
    (err: unknown) => err,
  );
}

async function openSockets(): Promise<number> {
  const res = await stack.call('GET', '/healthz');
  return res.body.stats.sockets as number;
}

describe('the socket handshake with a forged token', () => {
  it('accepts the real token and one signed afresh with the right key (the forgeries differ in one thing)', async () => {
    const real = await openSocket(stack.wsUrl, { token: valid });
    const fresh = await openSocket(stack.wsUrl, { token: resign(valid, stack.keys.privateKey) });
    expect((await fresh.request({ type: 'ping' })).ok).toBe(true);
    real.ws.terminate();
    fresh.ws.terminate();
    await Promise.all([real.closed, fresh.closed]);
  });

  it('answers 401 and opens no socket for every forgery, as a bearer token and as a cookie', async () => {
    await expect.poll(openSockets).toBe(0);
    for (const [name, token] of forged) {
      const asBearer = await handshake({ token });
      expect(asBearer, name).toBeInstanceOf(HandshakeRefused);
      expect((asBearer as HandshakeRefused).status, name).toBe(401);
      const asCookie = await handshake({ cookie: `${SESSION_COOKIE}=${token}`, origin: 'http://chat.test' });
      expect((asCookie as HandshakeRefused).status, name).toBe(401);
    }
    expect(await openSockets()).toBe(0);
    tried += forged.length * 2;
  });

  it('refuses the same forgeries on the REST routes the gateway forwards', async () => {
    for (const [name, token] of forged) {
      tried += 2;
      const rooms = await stack.call('GET', '/api/rooms', { token });
      expect(rooms.status, name).toBe(401);
      expect(rooms.body.code, name).toBe('UNAUTHORIZED');
      const me = await stack.call('GET', '/api/auth/me', { token });
      expect(me.status, name).toBe(401);
    }
  });

  it('refuses a token after logout, on the socket handshake and on REST', async () => {
    const leaver = await stack.user();
    const out = await stack.call('POST', '/api/auth/logout', { token: leaver.token });
    expect(out.status).toBe(204);
    await expect(openSocket(stack.wsUrl, { token: leaver.token })).rejects.toMatchObject({ status: 401 });
    expect((await stack.call('GET', '/api/rooms', { token: leaver.token })).status).toBe(401);
  });
});

describe('the session cookie from another site', () => {
  it('is refused with 403 for every origin that is not exactly an allowed one', async () => {
    const cookie = `${SESSION_COOKIE}=${valid}`;
    const origins = [
      'http://evil.example',
      'null',
      'https://chat.test',
      'http://chat.test.evil.example',
      'http://evil-chat.test',
      'http://chat.test:8080',
      'http://sub.chat.test',
    ];
    for (const origin of origins) {
      const refused = await handshake({ cookie, origin });
      expect((refused as HandshakeRefused).status, origin).toBe(403);
    }
    tried += origins.length;
    const allowed = await openSocket(stack.wsUrl, { cookie, origin: 'http://chat.test' });
    allowed.ws.terminate();
  });
});
