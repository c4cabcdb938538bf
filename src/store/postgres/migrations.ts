import type pg from 'pg';
import { AppError } from '../../lib/errors.js';
import type { CollectionSchema } from '../schema.js';
import { withClient, type Query } from './connection.js';
import { fingerprintOf, rowsOf } from './index-rows.js';
import { advisoryKey, dbText, type Tables } from './tables.js';

/**
 * Versioned schema migrations, run at start-up by whichever instance takes the migration lock
 * first (the others wait for it, then find nothing to do), each in its own transaction together
 * with its row in registrar_migrations. Migrations are only ever appended; a database migrated by a
 * newer Registrar stops an older one at start-up rather than being written in a shape it does not
 * know.
 *
 * After the migrations, each collection whose index definitions changed (fingerprintOf) has its
 * index rows rebuilt from its documents, with writers held off meanwhile.
 *
 * @example
 *   await migrate(pool, tablesIn('public'), SCHEMA);
 */
export interface Migration {
  version: number;
  name: string;
  sql: (t: Tables) => string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'documents and index rows',
    // Ids and keys compare byte by byte (COLLATE "C"): the order of `due` among equal positions and
    // equality of keys must not depend on the server's locale. Index rows go with their document
    // (ON DELETE CASCADE), so no delete or prune can leave one behind.
    sql: (t) => `
      CREATE TABLE ${t.docs} (
        collection text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        body text NOT NULL,
        PRIMARY KEY (collection, id)
      );
      CREATE TABLE ${t.keys} (
        collection text COLLATE "C" NOT NULL,
        index_name text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        PRIMARY KEY (collection, index_name, key, id),
        FOREIGN KEY (collection, id) REFERENCES ${t.docs} ON DELETE CASCADE
      );
      CREATE INDEX registrar_index_keys_document ON ${t.keys} (collection, id);
      CREATE TABLE ${t.order} (
        collection text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        index_name text COLLATE "C" NOT NULL,
        n double precision NOT NULL,
        PRIMARY KEY (collection, id, index_name),
        FOREIGN KEY (collection, id) REFERENCES ${t.docs} ON DELETE CASCADE
      );
      CREATE INDEX registrar_index_order_position ON ${t.order} (collection, index_name, n, id);
      CREATE TABLE ${t.indexVersions} (
        collection text COLLATE "C" PRIMARY KEY,
        fingerprint text NOT NULL
      );`,
  },
];

export async function migrate(pool: pg.Pool, t: Tables, schemas: Record<string, CollectionSchema<unknown>>, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  await withClient(pool, async ({ q, discard }) => {
    // Session-level, on this connection: held across the transactions below, released even if the process dies.
    await q({ text: 'SELECT pg_advisory_lock(hashtextextended($1, 0))', values: [advisoryKey(t, 'migrate')] });
    try {
      // Only when missing: CREATE SCHEMA IF NOT EXISTS asks for a privilege an existing schema's user may lack.
      const exists = await q({ text: 'SELECT 1 FROM pg_namespace WHERE nspname = $1', values: [t.schema] });
      if (exists.rowCount === 0) await q({ text: `CREATE SCHEMA IF NOT EXISTS ${t.quotedSchema}` });
      await q({ text: `CREATE TABLE IF NOT EXISTS ${t.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())` });
      const applied = new Set((await q<{ version: number }>({ text: `SELECT version FROM ${t.migrations}` })).rows.map((r) => r.version));
      const known = Math.max(0, ...migrations.map((m) => m.version));
      const newest = Math.max(0, ...applied);
      if (newest > known) {
        throw new AppError('STORE_SCHEMA_NEWER', `the PostgreSQL schema "${t.schema}" was migrated to version ${newest} by a newer Registrar; this one knows versions up to ${known}. Run the newer version.`);
      }
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (applied.has(m.version)) continue;
        await transaction(q, async () => {
          await q({ text: 'SET LOCAL statement_timeout = 0' });
          await q({ text: m.sql(t) });
          await q({ text: `INSERT INTO ${t.migrations} (version, name) VALUES ($1, $2)`, values: [m.version, m.name] });
        });
      }
      await rebuildChangedIndexes(q, t, schemas);
    } finally {
      // A connection that cannot unlock is closed instead: its session's locks go with it.
      await q({ text: 'SELECT pg_advisory_unlock(hashtextextended($1, 0))', values: [advisoryKey(t, 'migrate')] }).catch(discard);
    }
  });
}

async function transaction(q: Query, fn: () => Promise<void>): Promise<void> {
  await q({ text: 'BEGIN' });
  try {
    await fn();
  } catch (err) {
    await q({ text: 'ROLLBACK' }).catch(() => undefined);
    throw err;
  }
  await q({ text: 'COMMIT' });
}

const PAGE = 500;

async function rebuildChangedIndexes(q: Query, t: Tables, schemas: Record<string, CollectionSchema<unknown>>): Promise<void> {
  const stored = new Map((await q<{ collection: string; fingerprint: string }>({ text: `SELECT collection, fingerprint FROM ${t.indexVersions}` })).rows.map((r) => [r.collection, r.fingerprint]));
  const wanted = new Map(Object.entries(schemas).map(([name, schema]) => [dbText(name), { schema, fingerprint: fingerprintOf(schema) }]));
  for (const collection of new Set([...stored.keys(), ...wanted.keys()])) {
    const want = wanted.get(collection);
    if (stored.get(collection) === want?.fingerprint) continue;
    await transaction(q, async () => {
      await q({ text: 'SET LOCAL statement_timeout = 0' });
      // Writers wait until the rows match the documents again; readers go on.
      await q({ text: `LOCK TABLE ${t.docs} IN SHARE MODE` });
      await q({ text: `DELETE FROM ${t.keys} WHERE collection = $1`, values: [collection] });
      await q({ text: `DELETE FROM ${t.order} WHERE collection = $1`, values: [collection] });
      if (!want) {
        await q({ text: `DELETE FROM ${t.indexVersions} WHERE collection = $1`, values: [collection] });
        return;
      }
      for (let after: string | null = null, more = true; more; ) {
        const page: pg.QueryResult<{ id: string; body: string }> = await q<{ id: string; body: string }>({
          text: `SELECT id, body FROM ${t.docs} WHERE collection = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT ${PAGE}`,
          values: [collection, after],
        });
        await insertRows(q, t, collection, page.rows.map((r) => ({ id: r.id, value: JSON.parse(r.body) as unknown })), want.schema);
        more = page.rows.length === PAGE;
        after = page.rows.at(-1)?.id ?? null;
      }
      await q({
        text: `INSERT INTO ${t.indexVersions} (collection, fingerprint) VALUES ($1, $2) ON CONFLICT (collection) DO UPDATE SET fingerprint = EXCLUDED.fingerprint`,
        values: [collection, want.fingerprint],
      });
    });
  }
}

async function insertRows(q: Query, t: Tables, collection: string, docs: Array<{ id: string; value: unknown }>, schema: CollectionSchema<unknown>): Promise<void> {
  const keys: { id: string[]; index: string[]; key: string[] } = { id: [], index: [], key: [] };
  const order: { id: string[]; index: string[]; n: number[] } = { id: [], index: [], n: [] };
  for (const { id, value } of docs) {
    const rows = rowsOf(schema, value);
    for (const [index, key] of rows.keys) keys.id.push(id), keys.index.push(index), keys.key.push(key);
    for (const [index, n] of rows.order) order.id.push(id), order.index.push(index), order.n.push(n);
  }
  if (keys.id.length) {
    await q({
      text: `INSERT INTO ${t.keys} (collection, index_name, key, id) SELECT $1, i, k, d FROM unnest($2::text[], $3::text[], $4::text[]) AS r(d, i, k) ON CONFLICT DO NOTHING`,
      values: [collection, keys.id, keys.index, keys.key],
    });
  }
  if (order.id.length) {
    await q({
      text: `INSERT INTO ${t.order} (collection, id, index_name, n) SELECT $1, d, i, n FROM unnest($2::text[], $3::text[], $4::float8[]) AS r(d, i, n)`,
      values: [collection, order.id, order.index, order.n],
    });
  }
}
