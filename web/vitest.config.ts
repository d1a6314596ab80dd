import { defineConfig } from 'vitest/config';

// Two projects in one run, so test-results.json counts both: unit and component tests (happy-dom) first, then
// the browser tests in e2e/, which start the real stack and Chromium and so run one file at a time, after the
// unit tests, with generous timeouts (CI machines run other heavy jobs at the same time).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'happy-dom',
          setupFiles: ['test/unit/setup.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
