import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createPostgresStore, type PostgresStoreOptions } from '../../src/store/postgres-store.js';
import type { Store } from '../../src/store/store.js';

/** This run's throwaway database (test/helpers/postgres-global-setup.ts). Only in *.pg.test.ts files. */
export function postgresUrl(): string {
  const url = inject('postgresUrl');
  if (!url) throw new Error('no test database: PostgreSQL suites are named *.pg.test.ts and run with TEST_DATABASE_URL set');
  return url;
}

/** A PostgreSQL schema name no other test uses: an empty store of its own without a database each. */
export const freshSchema = () => `t_${randomBytes(6).toString('hex')}`;

/** A store on this run's database, in a fresh schema unless `schema` names one; small pools. */
export function openPostgresStore(options: PostgresStoreOptions = {}): Promise<Store> {
  return createPostgresStore(postgresUrl(), { schema: freshSchema(), poolSize: 4, lockPoolSize: 4, ...options });
}

/** One statement on this run's database, outside any store (to look at or hold its rows). */
export async function rawQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: postgresUrl() });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Resolves once a store statement on `schema` is waiting for a row lock another session holds. */
export async function waitForLockWait(schema: string, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  const sql = `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'registrar' AND wait_event_type = 'Lock' AND position($1 in query) > 0`;
  while ((await rawQuery(sql, [`"${schema}".`])).length === 0) {
    if (Date.now() > until) throw new Error(`no statement on ${schema} waited for a lock within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
