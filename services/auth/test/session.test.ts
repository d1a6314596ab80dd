import { SESSION_COOKIE } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthHarness, startAuth } from './harness.js';

let auth: AuthHarness;
beforeAll(async () => {
  auth = await startAuth();
  await auth.createSuperuser('root', 'root-password');
});
afterAll(() => auth?.stop());

describe('login', () => {
  it('answers a token, the user and an httpOnly SameSite=Strict cookie', async () => {
    const res = await auth.call('POST', '/api/auth/login', { body: { username: 'root', password: 'root-password' } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username: 'root', isStaff: true, isAdmin: true });
    expect(res.body.token.split('.')).toHaveLength(3);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`${SESSION_COOKIE}=${res.body.token}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
  });

  it('accepts the username in any case', async () => {
    const res = await auth.call('POST', '/api/auth/login', { body: { username: 'ROOT', password: 'root-password' } });
    expect(res.status).toBe(200);
  });

  it('gives the same 401 for a wrong password and an unknown user', async () => {
    const wrong = await auth.call('POST', '/api/auth/login', { body: { username: 'root', password: 'nope-nope' } });
    const unknown = await auth.call('POST', '/api/auth/login', { body: { username: 'ghost', password: 'nope-nope' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    // The same but for the id of each request, which tells nothing about the account.
    expect({ ...wrong.body, requestId: undefined }).toEqual({ ...unknown.body, requestId: undefined });
    expect(wrong.body.code).toBe('UNAUTHORIZED');
  });

  it('refuses a malformed body with BAD_REQUEST', async () => {
    const res = await auth.call('POST', '/api/auth/login', { body: { username: 42 } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BAD_REQUEST');
  });
});

describe('me and logout', () => {
  it('tells a bearer who they are, by header or by cookie', async () => {
    const token = await auth.login('root', 'root-password');
    const byHeader = await auth.call('GET', '/api/auth/me', { token });
    expect(byHeader.status).toBe(200);
    expect(byHeader.body.username).toBe('root');
    const byCookie = await auth.call('GET', '/api/auth/me', { headers: { cookie: `${SESSION_COOKIE}=${token}` } });
    expect(byCookie.status).toBe(200);
  });

  it('refuses no token and a tampered token with 401', async () => {
    expect((await auth.call('GET', '/api/auth/me')).status).toBe(401);
    const token = await auth.login('root', 'root-password');
    const tampered = `${token.slice(0, -4)}AAAA`;
    expect((await auth.call('GET', '/api/auth/me', { token: tampered })).status).toBe(401);
  });

  it('ends the session on logout: the old token no longer works', async () => {
    await auth.call('POST', '/api/auth/users', {
      token: await auth.login('root', 'root-password'),
      body: { username: 'leaver', password: 'leaver-password' },
    });
    const token = await auth.login('leaver', 'leaver-password');
    const out = await auth.call('POST', '/api/auth/logout', { token });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`${SESSION_COOKIE}=;`));
    expect((await auth.call('GET', '/api/auth/me', { token })).status).toBe(401);
  });
});
