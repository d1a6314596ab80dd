import { existsSync } from 'node:fs';
import { type Static, Type } from '@sinclair/typebox';
import { ConfigError, devKeyPaths, loadConfig, readKey } from '@chat/service-kit';

export const RoomsEnv = Type.Object({
  NODE_ENV: Type.String({ default: 'development' }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3002 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  NATS_URL: Type.String({ minLength: 1, default: 'nats://127.0.0.1:4222' }),
  NATS_USER: Type.Optional(Type.String()),
  NATS_PASS: Type.Optional(Type.String()),
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://' }),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  DATA_DIR: Type.String({ default: '.data' }),
  JWT_PUBLIC_KEY: Type.Optional(Type.String()),
  JWT_PUBLIC_KEY_FILE: Type.Optional(Type.String()),
  REQUEST_TIMEOUT_MS: Type.Integer({
    minimum: 1,
    default: 2000,
    description: 'deadline of NATS requests to the auth service',
  }),
});

export interface RoomsConfig extends Static<typeof RoomsEnv> {
  publicKey: string;
}

export function roomsConfigFromEnv(env: Record<string, string | undefined> = process.env): RoomsConfig {
  const parsed = loadConfig(RoomsEnv, env);
  let publicKey = readKey({ inline: parsed.JWT_PUBLIC_KEY, file: parsed.JWT_PUBLIC_KEY_FILE });
  // In development the auth service keeps its generated key pair in the shared data folder.
  if (!publicKey && parsed.NODE_ENV === 'development') {
    const devKey = devKeyPaths(parsed.DATA_DIR).publicKey;
    if (existsSync(devKey)) publicKey = readKey({ file: devKey });
  }
  if (!publicKey) throw new ConfigError('invalid configuration: JWT_PUBLIC_KEY (or JWT_PUBLIC_KEY_FILE) is missing');
  return { ...parsed, publicKey };
}
