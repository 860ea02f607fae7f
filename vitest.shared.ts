import type { ViteUserConfig } from 'vitest/config';

/**
 * Settings every package's vitest config starts from: generous timeouts for real services on a 2-core box,
 * and a JSON report that scripts/test-summary.mjs adds up into one closing line for the whole run.
 */
export const sharedTestConfig = {
  testTimeout: 120_000,
  hookTimeout: 120_000,
  reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
} satisfies NonNullable<ViteUserConfig['test']>;
