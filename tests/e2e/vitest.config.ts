import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...sharedTestConfig,
    include: ['tests/**/*.test.ts'],
    // Postgres + Redis + Swift S3 once per run; each file then spawns its own API and worker processes.
    globalSetup: ['./support/global-setup.ts'],
    // Every file runs two Node services of its own next to the stack: two files at a time on the 2 cores.
    maxWorkers: 2,
  },
});
