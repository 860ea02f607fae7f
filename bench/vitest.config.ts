import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../vitest.shared.js';

export default defineConfig({
  test: {
    ...sharedTestConfig,
    include: ['load/**/*.test.ts'],
    // The smoke run owns a whole private stack (Postgres, Redis, Swift, API, workers): one file at a time.
    maxWorkers: 1,
  },
});
