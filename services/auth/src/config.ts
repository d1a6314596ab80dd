import { type Static, Type } from '@sinclair/typebox';
import { ConfigError, commonEnv, ensureDevKeyPair, loadConfig, readKey } from '@chat/service-kit';

export const AuthEnv = Type.Object({
  ...commonEnv(3001),
  DATABASE_URL: Type.String({
    pattern: '^postgres(ql)?://',
    description: 'its Postgres database; it migrates and uses only its own schema there, so the services may share one',
  }),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'connections in the pool' }),
  DATABASE_IDLE_TIMEOUT_MS: Type.Integer({
    minimum: 0,
    default: 10_000,
    description: 'how long an unused database connection stays open; 0 keeps it',
  }),
  JWT_PRIVATE_KEY: Type.Optional(
    Type.String({
      description:
        'Ed25519 private key (PEM, PKCS#8) that signs tokens; required in production; in development, with no key set, one pair is generated into DATA_DIR/keys/',
    }),
  ),
  JWT_PRIVATE_KEY_FILE: Type.Optional(Type.String({ description: 'a file holding JWT_PRIVATE_KEY' })),
  TOKEN_TTL: Type.String({
    pattern: '^[0-9]+[smhd]$',
    default: '12h',
    description: 'token and session cookie lifetime (30m, 12h, 7d)',
  }),
  COOKIE_SECURE: Type.Boolean({ default: false, description: 'mark the session cookie Secure (true behind HTTPS)' }),
  LOGIN_FAILURES_PER_ACCOUNT: Type.Integer({
    minimum: 1,
    default: 10,
    description:
      'failed logins per minute to one username, from any address; then its logins get 429 until the minute ends',
  }),
  LOGIN_FAILURES_PER_ADDRESS: Type.Integer({
    minimum: 1,
    default: 50,
    description:
      'failed logins per minute from one client address, to any usernames; then its logins get 429 until the minute ends',
  }),
  LOGINS_PER_ADDRESS: Type.Integer({
    minimum: 1,
    default: 300,
    description: 'successful logins per minute from one client address (an office behind one NAT address); then 429',
  }),
});

export interface AuthConfig extends Static<typeof AuthEnv> {
  privateKey: string;
  publicKey: string;
}

export function authConfigFromEnv(env: Record<string, string | undefined> = process.env): AuthConfig {
  if (env.LOGIN_RATE_LIMIT) {
    // It counted every login, successful ones too; its replacements count differently, so none is guessed.
    throw new ConfigError(
      'invalid configuration: LOGIN_RATE_LIMIT is retired; set LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS and LOGINS_PER_ADDRESS',
    );
  }
  const parsed = loadConfig(AuthEnv, env);
  let privateKey = readKey({ inline: parsed.JWT_PRIVATE_KEY, file: parsed.JWT_PRIVATE_KEY_FILE });
  let publicKey = readKey({ inline: parsed.JWT_PUBLIC_KEY, file: parsed.JWT_PUBLIC_KEY_FILE });
  if (!privateKey && !publicKey) {
    if (parsed.NODE_ENV === 'production') {
      throw new ConfigError('invalid configuration: JWT_PRIVATE_KEY (or JWT_PRIVATE_KEY_FILE) is missing');
    }
    const paths = ensureDevKeyPair(parsed.DATA_DIR);
    privateKey = readKey({ file: paths.privateKey });
    publicKey = readKey({ file: paths.publicKey });
  }
  if (!privateKey) throw new ConfigError('invalid configuration: JWT_PRIVATE_KEY (or JWT_PRIVATE_KEY_FILE) is missing');
  if (!publicKey) throw new ConfigError('invalid configuration: JWT_PUBLIC_KEY (or JWT_PUBLIC_KEY_FILE) is missing');
  return { ...parsed, privateKey, publicKey };
}
