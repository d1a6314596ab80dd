/** Environment variables every service has, and the verification key they all read the same way. */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { FormatRegistry, Type } from '@sinclair/typebox';
import { ConfigError } from './config.js';
import { devKeyPaths, readKey } from './keys.js';

/** Spread into a service's env schema: `Type.Object({ ...commonEnv(3001), DATABASE_URL: … })`. */
export function commonEnv(defaultPort: number) {
  return {
    NODE_ENV: Type.String({
      default: 'development',
      description: 'production turns off development conveniences (token keys generated into DATA_DIR)',
    }),
    HOST: Type.String({ default: '127.0.0.1', description: 'address to listen on (0.0.0.0 in containers)' }),
    PORT: Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort, description: 'HTTP port' }),
    LOG_LEVEL: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info', description: 'pino level of the log on stdout; debug adds a line per request' },
    ),
    NATS_URL: Type.String({
      minLength: 1,
      default: 'nats://127.0.0.1:4222',
      description: 'comma-separated NATS servers',
    }),
    NATS_USER: Type.Optional(
      Type.String({ description: "this service's NATS user (deploy/nats-server.conf has one per service)" }),
    ),
    NATS_PASS: Type.Optional(Type.String({ description: "NATS_USER's password" })),
    DATA_DIR: Type.String({
      default: '.data',
      description: 'development data folder: the token keys generated when none is configured',
    }),
    JWT_PUBLIC_KEY: Type.Optional(
      Type.String({
        description:
          'Ed25519 public key (PEM) that verifies tokens; in development, with neither it nor JWT_PUBLIC_KEY_FILE set, DATA_DIR/keys/jwt-public.pem',
      }),
    ),
    JWT_PUBLIC_KEY_FILE: Type.Optional(Type.String({ description: 'a file holding JWT_PUBLIC_KEY' })),
    TRUST_PROXY: Type.String({
      format: 'trust-proxy',
      default: 'loopback',
      description:
        'peers whose X-Forwarded-For is believed: comma-separated addresses, CIDR ranges and loopback, linklocal, uniquelocal; or true, false',
    }),
    METRICS_ALLOW: Type.String({
      format: 'address-ranges',
      default: 'loopback,uniquelocal',
      description:
        'peers (the socket address, never X-Forwarded-For) that may read GET /metrics: comma-separated addresses, CIDR ranges and loopback, linklocal, uniquelocal',
    }),
  };
}

/**
 * REQUEST_TIMEOUT_MS, the deadline of a service's NATS requests to the others: one bound for every service
 * that makes them, each with its own default and words for whom it asks.
 */
export function requestTimeoutEnv(defaultMs: number, description: string) {
  return Type.Integer({ minimum: 100, maximum: 60_000, default: defaultMs, description });
}

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * One entry of TRUST_PROXY as proxy-addr (Fastify's trustProxy) reads it. A hop count is refused: Fastify 5
 * takes a number to mean "trust no peer", which would quietly undo the setting.
 */
function isTrustedProxyEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

FormatRegistry.Set(
  'trust-proxy',
  (value) =>
    value === 'true' || value === 'false' || value.split(',').every((entry) => isTrustedProxyEntry(entry.trim())),
);

FormatRegistry.Set('address-ranges', (value) => value.split(',').every((entry) => isTrustedProxyEntry(entry.trim())));

/** TRUST_PROXY as Fastify's trustProxy option: which peers may say, in X-Forwarded-For, whom they forward. */
export function trustProxyOption(value: string): boolean | string[] {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value.split(',').map((entry) => entry.trim());
}

/**
 * The token verification key: JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE; in development, the key the auth
 * service generated in the shared data folder.
 */
export function publicKeyFromEnv(env: {
  NODE_ENV: string;
  DATA_DIR: string;
  JWT_PUBLIC_KEY?: string | undefined;
  JWT_PUBLIC_KEY_FILE?: string | undefined;
}): string {
  const configured = readKey({ inline: env.JWT_PUBLIC_KEY, file: env.JWT_PUBLIC_KEY_FILE });
  if (configured) return configured;
  const devKey = devKeyPaths(env.DATA_DIR).publicKey;
  if (env.NODE_ENV !== 'production' && existsSync(devKey)) return readKey({ file: devKey }) as string;
  throw new ConfigError('invalid configuration: JWT_PUBLIC_KEY (or JWT_PUBLIC_KEY_FILE) is missing');
}
