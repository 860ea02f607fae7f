import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['./tests/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores, shared with other suites: the streams are I/O- and hash-bound, so files run two at a time.
    maxWorkers: 2,
  },
});
