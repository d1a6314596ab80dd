import { defineConfig } from 'vitest/config';

// Only unit and component tests; the browser tests in e2e/ run against the real stack with Playwright.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'happy-dom',
    setupFiles: ['test/unit/setup.ts'],
  },
});
