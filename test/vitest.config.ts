import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Suites named *.pg.test.ts need PostgreSQL: they run when TEST_DATABASE_URL names a server (CI
 * always sets it, .ci/run), and are left out otherwise, with one line saying so
 * (test/helpers/postgres-global-setup.ts, which also creates the run's throwaway database).
 */
const postgres = Boolean(process.env.TEST_DATABASE_URL?.trim());

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tests run apart (npm run test:e2e, test/e2e/vitest.config.ts).
    exclude: [...configDefaults.exclude, 'test/e2e/**', ...(postgres ? [] : ['test/**/*.pg.test.ts'])],
    globalSetup: ['test/helpers/postgres-global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
