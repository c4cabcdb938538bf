import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The browser tests (`npm run test:e2e`): Chromium driven by playwright-core; not part of `npm test`. */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
