/**
 * Forged session tokens: every way we know to get a token past a careless verifier. Built with node:crypto
 * so that nothing of the code under test signs them.
 */
import { createHmac, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function jwt(header: object, claims: object, signer: (input: Buffer) => Buffer): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${signer(Buffer.from(input)).toString('base64url')}`;
}

export const ed25519 = (key: KeyObject | string) => (input: Buffer) => sign(null, input, key);

/** Each entry: what the forgery is, and the token. `valid` is a real token of a real user. */
export function forgedTokens(valid: string, keys: { privateKey: string; publicKey: string }): [string, string][] {
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
export function resign(valid: string, privateKey: string): string {
  const claims = JSON.parse(Buffer.from(valid.split('.')[1] ?? '', 'base64url').toString()) as object;
  return jwt({ alg: 'EdDSA', typ: 'JWT' }, claims, ed25519(privateKey));
}
