/**
 * A service whose NATS is not there at start fails to start, and leaves nothing open behind it: the database
 * pool it had opened (and migrated) is closed again. Counted as this process's open TCP sockets, which the
 * pool's idle connections would otherwise keep for DATABASE_IDLE_TIMEOUT_MS.
 */
import { createTestDatabase, freePort, generateSigningKeys } from '@chat/test-kit';
import { describe, expect, it } from 'vitest';
import { authConfigFromEnv, buildApp } from '../src/index.js';

const openTcpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

describe('a start that fails half-way', () => {
  it('closes the database it opened when NATS cannot be reached', async () => {
    const database = await createTestDatabase();
    const keys = generateSigningKeys();
    const before = openTcpSockets();
    const start = buildApp(
      authConfigFromEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        NATS_URL: `nats://127.0.0.1:${await freePort()}`,
        DATABASE_URL: database.url,
        DATABASE_IDLE_TIMEOUT_MS: '60000',
        JWT_PRIVATE_KEY: keys.privateKey,
        JWT_PUBLIC_KEY: keys.publicKey,
      }),
    );
    await expect(start).rejects.toThrow();
    await expect.poll(openTcpSockets, { timeout: 5000 }).toBe(before);
    await database.drop();
  });
});
