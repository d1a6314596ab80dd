/**
 * Forged and stale session tokens are refused. The forgeries are built with node:crypto, not with the code
 * under test (the gateway's test/security/forge.ts has the same list; move both to test-kit when it can hold them).
 */
import { SESSION_COOKIE } from '@chat/protocol';
import { createHmac, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthHarness, startAuth } from './harness.js';

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function jwt(header: object, claims: object, signer: (input: Buffer) => Buffer): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${signer(Buffer.from(input)).toString('base64url')}`;
}

const ed25519 = (key: KeyObject | string) => (input: Buffer) => sign(null, input, key);

/** Each entry: what the forgery is, and the token. `valid` is a real token of a real user. */
function forgedTokens(valid: string, keys: { privateKey: string; publicKey: string }): [string, string][] {
  const [h, p, s] = valid.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown> & { sv: number };
  const now = Math.floor(Date.now() / 1000);
  const edHeader = { alg: 'EdDSA', typ: 'JWT' };
  const other = generateKeyPairSync('ed25519');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const flipped = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
  return [
    [
      'a tampered payload (isAdmin: true) under the original signature',
      `${h}.${b64({ ...claims, isAdmin: true })}.${s}`,
    ],
    [
      'a tampered payload (another sub) under the original signature',
      `${h}.${b64({ ...claims, sub: randomUUID() })}.${s}`,
    ],
    ['a tampered signature', `${h}.${p}.${flipped}`],
    ['no signature', `${h}.${p}.`],
    [
      'an expired token signed with the right key',
      jwt(edHeader, { ...claims, iat: now - 7200, exp: now - 3600 }, ed25519(keys.privateKey)),
    ],
    [
      'a token signed with the right key that is not valid for an hour yet (nbf)',
      jwt(edHeader, { ...claims, iat: now, nbf: now + 3600, exp: now + 7200 }, ed25519(keys.privateKey)),
    ],
    ['a token signed with another Ed25519 key', jwt(edHeader, claims, ed25519(other.privateKey))],
    [
      'another key, announced in the header as a jwk',
      jwt({ ...edHeader, jwk: other.publicKey.export({ format: 'jwk' }) }, claims, ed25519(other.privateKey)),
    ],
    ['alg "none" without a signature', `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`],
    ['alg "None" without a signature', `${b64({ alg: 'None', typ: 'JWT' })}.${p}.`],
    ['alg "none" keeping the real signature', `${b64({ alg: 'none', typ: 'JWT' })}.${p}.${s}`],
    [
      'HS256 with the public key (PEM) as the HMAC secret',
      jwt({ alg: 'HS256', typ: 'JWT' }, claims, (input) => createHmac('sha256', keys.publicKey).update(input).digest()),
    ],
    [
      'HS256 with the public key (PEM, no trailing newline) as the HMAC secret',
      jwt({ alg: 'HS256', typ: 'JWT' }, claims, (input) =>
        createHmac('sha256', keys.publicKey.trim()).update(input).digest(),
      ),
    ],
    ['RS256 with another key', jwt({ alg: 'RS256', typ: 'JWT' }, claims, (i) => sign('sha256', i, rsa.privateKey))],
    [
      'ES256 with another key',
      jwt({ alg: 'ES256', typ: 'JWT' }, claims, (i) =>
        sign('sha256', i, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }),
      ),
    ],
    [
      'the right key, but the session version of an ended session',
      jwt(edHeader, { ...claims, sv: claims.sv - 1 }, ed25519(keys.privateKey)),
    ],
    [
      'the right key, but a user who does not exist',
      jwt(edHeader, { ...claims, sub: randomUUID() }, ed25519(keys.privateKey)),
    ],
    [
      'the right key, but a sub that is not a user id',
      jwt(edHeader, { ...claims, sub: "' OR 1=1 --" }, ed25519(keys.privateKey)),
    ],
    ['two segments', `${h}.${p}`],
    ['not a JWT at all', 'not.a.token'],
  ];
}

/** A token signed with the right key and the real claims, freshly: what the forgeries are measured against. */
function resign(valid: string, privateKey: string): string {
  const claims = JSON.parse(Buffer.from(valid.split('.')[1] ?? '', 'base64url').toString()) as object;
  return jwt({ alg: 'EdDSA', typ: 'JWT' }, claims, ed25519(privateKey));
}

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
