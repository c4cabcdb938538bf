import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A database of its own for this test run, on the server TEST_DATABASE_URL names. */
    postgresUrl: string;
  }
}

const root = join(import.meta.dirname, '..', '..');
const STALE_MS = 24 * 3600_000;

/** The suites that need PostgreSQL (test/vitest.config.ts leaves them out without TEST_DATABASE_URL). */
export const postgresSuites = () =>
  readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.pg.test.ts'))
    .map((f) => join('test', f))
    .sort();

/**
 * A throwaway database per test run, created on the server TEST_DATABASE_URL names and dropped at
 * the end; tests get its URL with `inject('postgresUrl')` (test/helpers/postgres.ts). Without
 * TEST_DATABASE_URL, one line says which suites did not run. A server that cannot be reached fails
 * the run: CI sets the variable and must never pass without these suites.
 */
export default async function setup(project: TestProject) {
  const server = process.env.TEST_DATABASE_URL?.trim();
  if (!server) {
    console.log(`PostgreSQL suites not run (they need TEST_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test): ${postgresSuites().join(', ')}`);
    return;
  }
  const name = `registrar_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await withAdmin(server, async (admin) => {
    // Databases left by runs that were killed before their teardown, a day old or more.
    const old = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname ~ '^registrar_test_[0-9]+_[0-9a-f]+$'");
    for (const { datname } of old.rows) {
      if (Date.now() - Number(datname.split('_')[2]) > STALE_MS) await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  });
  const url = new URL(server);
  url.pathname = `/${name}`;
  project.provide('postgresUrl', url.toString());
  return async () => {
    await withAdmin(server, (admin) => admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
  };
}

async function withAdmin<R>(server: string, fn: (admin: pg.Client) => Promise<R>): Promise<R> {
  const admin = new pg.Client({ connectionString: server, connectionTimeoutMillis: 10_000 });
  try {
    await admin.connect();
  } catch (err) {
    const where = new URL(server);
    throw new Error(`TEST_DATABASE_URL: cannot reach PostgreSQL at ${where.hostname}:${where.port || 5432} (${(err as Error).message})`);
  }
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}
