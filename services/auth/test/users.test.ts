import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthHarness, startAuth } from './harness.js';

let auth: AuthHarness;
let admin: string;
beforeAll(async () => {
  auth = await startAuth();
  await auth.createSuperuser('boss', 'boss-password');
  admin = await auth.login('boss', 'boss-password');
});
afterAll(() => auth?.stop());

describe('user administration', () => {
  it('lets an admin create, list, change and delete users', async () => {
    const created = await auth.call('POST', '/api/auth/users', {
      token: admin,
      body: { username: 'Carol', password: 'carol-password', isStaff: true },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'Carol', isStaff: true, isAdmin: false, disabled: false });
    expect(created.body).not.toHaveProperty('password_hash');

    const list = await auth.call('GET', '/api/auth/users', { token: admin });
    expect(list.body.map((u: { username: string }) => u.username)).toEqual(['boss', 'Carol']);

    const patched = await auth.call('PATCH', `/api/auth/users/${created.body.id}`, {
      token: admin,
      body: { isStaff: false },
    });
    expect(patched.body.isStaff).toBe(false);

    expect((await auth.call('DELETE', `/api/auth/users/${created.body.id}`, { token: admin })).status).toBe(204);
    expect((await auth.call('DELETE', `/api/auth/users/${created.body.id}`, { token: admin })).status).toBe(404);
  });

  it('refuses a second account whose name differs only in case', async () => {
    await auth.call('POST', '/api/auth/users', { token: admin, body: { username: 'dave', password: 'dave-password' } });
    const dup = await auth.call('POST', '/api/auth/users', {
      token: admin,
      body: { username: 'DAVE', password: 'dave-password' },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('CONFLICT');
  });

  it('refuses short passwords and odd usernames', async () => {
    const short = await auth.call('POST', '/api/auth/users', {
      token: admin,
      body: { username: 'erin', password: 'short' },
    });
    expect(short.status).toBe(400);
    const odd = await auth.call('POST', '/api/auth/users', {
      token: admin,
      body: { username: 'a b<c>', password: 'long-enough' },
    });
    expect(odd.status).toBe(400);
  });

  it('answers 403 to a non-admin on every admin route', async () => {
    const made = await auth.call('POST', '/api/auth/users', {
      token: admin,
      body: { username: 'frank', password: 'frank-password' },
    });
    const token = await auth.login('frank', 'frank-password');
    expect((await auth.call('GET', '/api/auth/users', { token })).status).toBe(403);
    expect(
      (await auth.call('POST', '/api/auth/users', { token, body: { username: 'x1', password: 'x1-password' } })).status,
    ).toBe(403);
    expect(
      (await auth.call('PATCH', `/api/auth/users/${made.body.id}`, { token, body: { isAdmin: true } })).status,
    ).toBe(403);
    expect((await auth.call('DELETE', `/api/auth/users/${made.body.id}`, { token })).status).toBe(403);
  });

  it('a disabled user can no longer log in, and their token stops working', async () => {
    const made = await auth.call('POST', '/api/auth/users', {
      token: admin,
      body: { username: 'gina', password: 'gina-password' },
    });
    const token = await auth.login('gina', 'gina-password');
    await auth.call('PATCH', `/api/auth/users/${made.body.id}`, { token: admin, body: { disabled: true } });
    expect((await auth.call('GET', '/api/auth/me', { token })).status).toBe(401);
    const login = await auth.call('POST', '/api/auth/login', { body: { username: 'gina', password: 'gina-password' } });
    expect(login.status).toBe(403);
    expect(login.body.code).toBe('USER_DISABLED');
  });

  it('a demoted admin loses admin routes at once, with the same token', async () => {
    const made = await auth.call('POST', '/api/auth/users', {
      token: admin,
      body: { username: 'hal', password: 'hal-password', isAdmin: true },
    });
    const token = await auth.login('hal', 'hal-password');
    expect((await auth.call('GET', '/api/auth/users', { token })).status).toBe(200);
    await auth.call('PATCH', `/api/auth/users/${made.body.id}`, { token: admin, body: { isAdmin: false } });
    expect((await auth.call('GET', '/api/auth/users', { token })).status).toBe(403);
  });
});
