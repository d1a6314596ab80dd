/**
 * Login limits as a client meets them: failures count per account and per address, successes only against a
 * generous ceiling per address. Straight to the auth service, which believes X-Forwarded-For from loopback
 * (TRUST_PROXY's default), so each request may come "from" any address.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { authConfigFromEnv } from '../src/index.js';
import { type AuthHarness, startAuth } from './harness.js';

let auth: AuthHarness | undefined;
afterEach(async () => {
  await auth?.stop();
  auth = undefined;
});

/** An auth service with these limits, and `people` accounts made without spending a login from any test address. */
async function start(env: Record<string, string>, people: string[]) {
  auth = await startAuth(env);
  await auth.createSuperuser('root', 'root-password');
  const admin = await auth.login('root', 'root-password');
  for (const username of people) {
    const res = await auth.call('POST', '/api/auth/users', {
      token: admin,
      body: { username, password: `${username}-password` },
    });
    expect(res.status).toBe(201);
  }
  return auth;
}

async function login(from: string, username: string, password = `${username}-password`) {
  const res = await (auth as AuthHarness).call('POST', '/api/auth/login', {
    body: { username, password },
    headers: { 'x-forwarded-for': from },
  });
  return { status: res.status, code: res.body?.code as string | undefined, retryAfter: res.headers.get('retry-after') };
}

const OFFICE = '198.51.100.10';
const HOME = '203.0.113.20';

describe('an office behind one address', () => {
  it('eleven people logging in within a minute all get in, with the default limits', async () => {
    const people = Array.from({ length: 11 }, (_, i) => `colleague${i}`);
    await start({}, people);
    for (const username of people) expect((await login(OFFICE, username)).status).toBe(200);
  });

  it('a colleague who mistypes a few times does not lock the others out', async () => {
    await start({ LOGIN_FAILURES_PER_ACCOUNT: '3', LOGIN_FAILURES_PER_ADDRESS: '3' }, ['alice', 'bob', 'carol']);
    expect((await login(OFFICE, 'alice', 'alice-typo')).status).toBe(401);
    expect((await login(OFFICE, 'alice', 'alice-typo2')).status).toBe(401);
    expect((await login(OFFICE, 'alice')).status).toBe(200);
    for (const username of ['bob', 'carol', 'bob', 'carol']) expect((await login(OFFICE, username)).status).toBe(200);
  });
});

describe('guessing at one account', () => {
  it('is refused after the limit with 429 RATE_LIMITED and Retry-After, while the address logs in to another account', async () => {
    await start({ LOGIN_FAILURES_PER_ACCOUNT: '3' }, ['victim', 'bystander']);
    for (let i = 0; i < 3; i++) expect((await login(OFFICE, 'victim', `guess-${i}`)).status).toBe(401);
    const refused = await login(OFFICE, 'victim', 'guess-3');
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    // The right password is refused too (a limit that gave way to it would confirm the guess), from anywhere
    // and however the name is cased.
    expect((await login(HOME, 'VICTIM')).status).toBe(429);
    expect((await login(OFFICE, 'bystander')).status).toBe(200);
  });

  it('a burst of parallel guesses gets no more than the limit through', async () => {
    await start({ LOGIN_FAILURES_PER_ACCOUNT: '3' }, ['victim']);
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(`192.0.2.${i + 1}`, 'victim', `guess-${i}`).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.filter((s) => s !== 401).every((s) => s === 429)).toBe(true);
    expect((await login(HOME, 'victim')).status).toBe(429);
  });
});

describe('guessing from one address', () => {
  it('is capped across accounts, and only that address is refused', async () => {
    await start({ LOGIN_FAILURES_PER_ADDRESS: '4' }, ['bystander']);
    for (let i = 0; i < 4; i++) expect((await login(OFFICE, `nobody${i}`, 'guess')).status).toBe(401);
    const refused = await login(OFFICE, 'bystander');
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(refused.retryAfter).not.toBeNull();
    expect((await login(HOME, 'bystander')).status).toBe(200);
  });
});

describe('successful logins from one address', () => {
  it('have a ceiling of their own, so credential stuffing that often guesses right is bounded', async () => {
    const people = ['one', 'two', 'three', 'four'];
    await start({ LOGINS_PER_ADDRESS: '3' }, people);
    for (const username of people.slice(0, 3)) expect((await login(OFFICE, username)).status).toBe(200);
    expect(await login(OFFICE, 'four')).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect((await login(HOME, 'four')).status).toBe(200);
  });
});

describe('configuration', () => {
  it('refuses the retired LOGIN_RATE_LIMIT by name rather than quietly ignoring it', () => {
    expect(() => authConfigFromEnv({ LOGIN_RATE_LIMIT: '10' })).toThrow(/LOGIN_RATE_LIMIT is retired/);
  });
});
