import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['./tests/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores, shared with other suites: a couple of files at a time keeps the stack responsive.
    maxWorkers: 2,
  },
});
