import { type Static, Type } from '@sinclair/typebox';
import { ConfigError, devKeyPaths, loadConfig, readKey } from '@chat/service-kit';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const GatewayEnv = Type.Object({
  NODE_ENV: Type.String({ default: 'development' }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  NATS_URL: Type.String({ minLength: 1, default: 'nats://127.0.0.1:4222' }),
  NATS_USER: Type.Optional(Type.String()),
  NATS_PASS: Type.Optional(Type.String()),
  DATA_DIR: Type.String({ default: '.data' }),
  JWT_PUBLIC_KEY: Type.Optional(Type.String()),
  JWT_PUBLIC_KEY_FILE: Type.Optional(Type.String()),
  AUTH_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:3001' }),
  ROOMS_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:3002' }),
  ALLOWED_ORIGINS: Type.Optional(
    Type.String({ description: 'comma-separated origins allowed to open /ws with the cookie' }),
  ),
  WEB_ROOT: Type.Optional(Type.String()),
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 3000 }),
  SEND_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 10,
    default: 2,
    description: 'tries of a send within REQUEST_TIMEOUT_MS',
  }),
  MAX_ROOMS_PER_CONNECTION: Type.Integer({ minimum: 1, default: 100 }),
  SEND_BUFFER_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 4 * 1024 * 1024 }),
  MAX_CONNECTIONS_PER_USER: Type.Integer({ minimum: 1, default: 20 }),
  SENDS_PER_SECOND: Type.Number({
    exclusiveMinimum: 0,
    default: 20,
    description: 'per connection; bursts of twice as many',
  }),
  JOINS_PER_SECOND: Type.Number({
    exclusiveMinimum: 0,
    default: 10,
    description: 'per connection; bursts of twice as many',
  }),
});

export interface GatewayConfig extends Static<typeof GatewayEnv> {
  publicKey: string;
  allowedOrigins: Set<string>;
  webRoot: string | undefined;
}

const defaultWebRoot = fileURLToPath(new URL('../../../web/dist', import.meta.url));

export function gatewayConfigFromEnv(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const parsed = loadConfig(GatewayEnv, env);
  let publicKey = readKey({ inline: parsed.JWT_PUBLIC_KEY, file: parsed.JWT_PUBLIC_KEY_FILE });
  if (!publicKey && parsed.NODE_ENV !== 'production' && existsSync(devKeyPaths(parsed.DATA_DIR).publicKey)) {
    publicKey = readKey({ file: devKeyPaths(parsed.DATA_DIR).publicKey });
  }
  if (!publicKey) throw new ConfigError('invalid configuration: JWT_PUBLIC_KEY (or JWT_PUBLIC_KEY_FILE) is missing');
  const origins = parsed.ALLOWED_ORIGINS
    ? parsed.ALLOWED_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean)
    : [`http://127.0.0.1:${parsed.PORT}`, `http://localhost:${parsed.PORT}`];
  const webRoot = parsed.WEB_ROOT ?? (existsSync(defaultWebRoot) ? defaultWebRoot : undefined);
  return { ...parsed, publicKey, allowedOrigins: new Set(origins), webRoot };
}
