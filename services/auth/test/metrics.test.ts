import { readMetrics } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthHarness, startAuth } from './harness.js';

let auth: AuthHarness;
beforeAll(async () => {
  // Two failures to one account, then 429: the rate-limited outcome without dozens of argon2 checks.
  auth = await startAuth({ LOGIN_FAILURES_PER_ACCOUNT: '2' });
  await auth.createSuperuser('admin', 'admin-password');
});
afterAll(() => auth?.stop());

describe("the auth service's /metrics", () => {
  it('counts logins by outcome and users changed by kind, as an operator would see them move', async () => {
    const before = await readMetrics(auth.base);
    const adminToken = await auth.login('admin', 'admin-password');
    const wrong = (username: string) =>
      auth.call('POST', '/api/auth/login', { body: { username, password: 'not-the-password' } });

    const created = await auth.call('POST', '/api/auth/users', {
      token: adminToken,
      body: { username: 'carol', password: 'carol-password' },
    });
    expect(created.status).toBe(201);
    expect((await wrong('carol')).status).toBe(401);
    expect((await wrong('carol')).status).toBe(401);
    expect((await wrong('carol')).status).toBe(429);
    // The account's limit holds the right password back too.
    const held = await auth.call('POST', '/api/auth/login', {
      body: { username: 'carol', password: 'carol-password' },
    });
    expect(held.status).toBe(429);
    const unknown = await auth.call('POST', '/api/auth/login', {
      body: { username: 'nobody', password: 'x-password' },
    });
    expect(unknown.status).toBe(401);
    const dave = await auth.call('POST', '/api/auth/users', {
      token: adminToken,
      body: { username: 'dave', password: 'dave-password' },
    });
    await auth.call('PATCH', `/api/auth/users/${dave.body.id}`, { token: adminToken, body: { disabled: true } });
    const disabledLogin = await auth.call('POST', '/api/auth/login', {
      body: { username: 'dave', password: 'dave-password' },
    });
    expect(disabledLogin.status).toBe(403);
    expect((await auth.call('DELETE', `/api/auth/users/${dave.body.id}`, { token: adminToken })).status).toBe(204);

    const after = await readMetrics(auth.base);
    const moved = (name: string, labels: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels);
    expect(moved('chat_auth_logins_total', { outcome: 'ok' })).toBe(1);
    expect(moved('chat_auth_logins_total', { outcome: 'bad_credentials' })).toBe(3);
    expect(moved('chat_auth_logins_total', { outcome: 'rate_limited' })).toBe(2);
    expect(moved('chat_auth_logins_total', { outcome: 'disabled' })).toBe(1);
    expect(moved('chat_auth_logins_total', { outcome: 'error' })).toBe(0);
    expect(moved('chat_auth_user_changes_total', { kind: 'created' })).toBe(2);
    expect(moved('chat_auth_user_changes_total', { kind: 'updated' })).toBe(1);
    expect(moved('chat_auth_user_changes_total', { kind: 'deleted' })).toBe(1);
    expect(moved('chat_http_request_duration_seconds_count', { route: '/api/auth/login', status_code: '401' })).toBe(3);
    expect(after.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
  });
});
