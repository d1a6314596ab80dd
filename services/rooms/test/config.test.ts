import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ensureDevKeyPair } from '@chat/service-kit';
import { describe, expect, it } from 'vitest';
import { roomsConfigFromEnv } from '../src/config.js';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/chat';

describe('rooms configuration', () => {
  it('has local defaults for everything but the database', () => {
    const config = roomsConfigFromEnv({ DATABASE_URL, JWT_PUBLIC_KEY: 'PEM' });
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 3002,
      REQUEST_TIMEOUT_MS: 2000,
      DATABASE_POOL_MAX: 10,
      publicKey: 'PEM',
    });
  });

  it('names a missing DATABASE_URL', () => {
    expect(() => roomsConfigFromEnv({ JWT_PUBLIC_KEY: 'PEM' })).toThrow(/DATABASE_URL is missing/);
  });

  it('uses the development key pair of the data folder when no key is configured', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rooms-config-'));
    ensureDevKeyPair(dataDir);
    expect(roomsConfigFromEnv({ DATABASE_URL, DATA_DIR: dataDir }).publicKey).toContain('BEGIN PUBLIC KEY');
  });

  it('names JWT_PUBLIC_KEY when there is no key to verify tokens with', () => {
    const empty = mkdtempSync(join(tmpdir(), 'rooms-config-'));
    expect(() => roomsConfigFromEnv({ DATABASE_URL, DATA_DIR: empty })).toThrow(ConfigError);
    expect(() => roomsConfigFromEnv({ DATABASE_URL, DATA_DIR: empty })).toThrow(/JWT_PUBLIC_KEY/);
    expect(() => roomsConfigFromEnv({ DATABASE_URL, NODE_ENV: 'production' })).toThrow(/JWT_PUBLIC_KEY/);
  });
});
