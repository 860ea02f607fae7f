import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...sharedTestConfig,
    include: ['tests/**/*.test.ts'],
    // Postgres + Redis + S3 for the native stand-in of the images (native-build.test.ts).
    globalSetup: ['./tests/global-setup.ts'],
    // The native build runs pnpm and tsc: do not let it compete with the other files for the 2 cores.
    fileParallelism: false,
  },
});
