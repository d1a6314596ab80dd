/**
 * Forged and stale session tokens are refused. The forgeries are built with node:crypto, not with the code
 * under test.
 */
import { SESSION_COOKIE } from '@chat/protocol';
import { ed25519, forgedTokens, jwt, resign } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthHarness, startAuth } from './harness.js';

let auth: AuthHarness;
let valid: string;
beforeAll(async () => {
  auth = await startAuth();
  await auth.createSuperuser('root', 'root-password');
  const admin = await auth.login('root', 'root-password');
  await auth.call('POST', '/api/auth/users', {
    token: admin,
    body: { username: 'target', password: 'target-password' },
  });
  valid = await auth.login('target', 'target-password');
});
afterAll(() => auth?.stop());

const me = (headers: Record<string, string>) => auth.call('GET', '/api/auth/me', { headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const cookie = (token: string) => ({ cookie: `${SESSION_COOKIE}=${token}` });

describe('forged tokens', () => {
  it('the real token, and one signed afresh with the right key, are accepted (so each forgery fails for its flaw)', async () => {
    expect((await me(bearer(valid))).status).toBe(200);
    expect((await me(bearer(resign(valid, auth.keys.privateKey)))).status).toBe(200);
  });

  it('every forgery gets 401 UNAUTHORIZED, as a bearer token and as a cookie', async () => {
    const forged = forgedTokens(valid, auth.keys);
    for (const [name, token] of forged) {
      for (const headers of [bearer(token), cookie(token)]) {
        const res = await me(headers);
        expect(res.status, name).toBe(401);
        expect(res.body.code, name).toBe('UNAUTHORIZED');
      }
    }
    console.log(`[reliability] hostile inputs: ${forged.length * 2} (forged tokens at the auth service)`);
  });

  it('a forged admin token cannot reach the admin routes', async () => {
    const [h, p, s] = valid.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const asAdmin = `${h}.${Buffer.from(JSON.stringify({ ...claims, isAdmin: true, isStaff: true })).toString('base64url')}.${s}`;
    const noneAdmin = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, isAdmin: true })).toString('base64url')}.`;
    for (const token of [asAdmin, noneAdmin]) {
      expect((await auth.call('GET', '/api/auth/users', { token })).status).toBe(401);
    }
    // Even a correctly signed token saying isAdmin does not make an admin: the flags come from the database.
    const claimsAdmin = jwt({ alg: 'EdDSA', typ: 'JWT' }, { ...claims, isAdmin: true }, ed25519(auth.keys.privateKey));
    expect((await auth.call('GET', '/api/auth/users', { token: claimsAdmin })).status).toBe(403);
  });
});

describe('logout in a browser', () => {
  it('clears the cookie, and the old cookie and every other session of the account stop working', async () => {
    const login = await auth.call('POST', '/api/auth/login', {
      body: { username: 'target', password: 'target-password' },
    });
    const token = login.body.token as string;
    const otherDevice = await auth.login('target', 'target-password');
    expect((await me(cookie(token))).status).toBe(200);

    const out = await auth.call('POST', '/api/auth/logout', { headers: cookie(token) });
    expect(out.status).toBe(204);
    const cleared = out.headers.get('set-cookie') ?? '';
    // The browser is told to forget it: an empty value that has already expired, on the path it was set for.
    expect(cleared).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
    expect(cleared).toMatch(/Path=\//i);
    const expires = /Expires=([^;]+)/i.exec(cleared)?.[1];
    const maxAge = /Max-Age=(-?\d+)/i.exec(cleared)?.[1];
    expect(
      (expires !== undefined && Date.parse(expires) <= Date.now()) || (maxAge !== undefined && Number(maxAge) <= 0),
    ).toBe(true);

    // A cookie the browser kept anyway (or stolen before logout) is refused, as is the other device's token.
    for (const headers of [cookie(token), bearer(token), bearer(otherDevice)]) {
      const res = await me(headers);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHORIZED');
    }
    // Logging in again works: logout ends sessions, not the account.
    expect((await me(bearer(await auth.login('target', 'target-password')))).status).toBe(200);
  });

  it('logout without a session still clears the cookie and answers 204', async () => {
    const out = await auth.call('POST', '/api/auth/logout', { headers: cookie('garbage') });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie') ?? '').toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
  });
});
