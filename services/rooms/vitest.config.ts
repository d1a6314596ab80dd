import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file starts its own nats-server, database and both services; argon2 logins take a moment too.
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
