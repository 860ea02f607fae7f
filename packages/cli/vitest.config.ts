import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

// Unit tests of the pure parts; the CLI against the real API, worker and S3 is tested in tests/e2e.
export default defineConfig({
  test: {
    ...sharedTestConfig,
    include: ['src/**/*.test.ts'],
  },
});
