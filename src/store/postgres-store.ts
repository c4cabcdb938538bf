import pg from 'pg';
import { AppError } from '../lib/errors.js';
import { pgCollection } from './postgres/collection.js';
import { poolQuery } from './postgres/connection.js';
import { advisoryLocks } from './postgres/locks.js';
import { holdInstanceLock, type InstanceLock } from './postgres/instance-lock.js';
import { migrate, MIGRATIONS, type Migration } from './postgres/migrations.js';
import { rewriteAll } from './postgres/rewrite-all.js';
import { tablesIn } from './postgres/tables.js';
import { SCHEMA, type CollectionSchema } from './schema.js';
import type { Collection, Store } from './store.js';

export interface PostgresStoreOptions {
  /**
   * The PostgreSQL schema that holds Registrar's tables, created when missing. Default: the
   * connection's current schema (normally `public`). Tests take an empty one each.
   */
  schema?: string;
  /** Connections for reads and writes (default 10). */
  poolSize?: number;
  /** Connections that hold advisory locks while `lock` and `exclusive` work runs (default 10). */
  lockPoolSize?: number;
  /** Tries of a write that PostgreSQL fails with a serialisation failure or deadlock (default 5). */
  attempts?: number;
  /** Longest a statement of a read or write may run, in ms (default 30 s); 0 for none. */
  statementTimeoutMs?: number;
  /** Told of connection errors outside any call: an idle connection dropped, a held lock's connection lost. */
  onError?: (err: Error) => void;
  /** The collections' indexes (default: schema.ts). Tests change a definition with their own. */
  schemas?: Record<string, CollectionSchema<unknown>>;
  /** The migrations to bring the schema to (default: all of ours). Tests append their own. */
  migrations?: readonly Migration[];
  /**
   * How this store holds the instance lock (postgres/instance-lock.ts): bot instances share it
   * (default); a tool that must run alone (the re-key) takes it exclusively.
   */
  instanceLock?: 'shared' | 'exclusive';
}

/**
 * The PostgreSQL adapter, for several bot instances sharing one database (chosen by DATABASE_URL).
 *
 * Layout: documents as JSON text in registrar_documents (text, not jsonb, so an update that changes
 * nothing is seen by comparing text and writes nothing), equality index rows in
 * registrar_index_keys, ordered ones in registrar_index_order; index rows are computed in JS from
 * schema.ts and written in the same statement as their document. See postgres/migrations.ts for the
 * tables, postgres/collection.ts for how writes stay atomic, postgres/locks.ts for locks.
 *
 * Start-up runs the migrations (once, whichever instance comes first) and rebuilds the index rows of
 * collections whose index definitions changed. close() waits for the calls in flight, then ends the
 * connections; calls after that are refused.
 *
 * @example
 *   const store = await createPostgresStore('postgres://registrar@db.internal/registrar');
 *   const mine = await store.collection<AppRecord>('apps').find('owner', `${accountId}:${personId}`);
 */
export async function createPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const onError = options.onError ?? (() => {});
  const base: pg.PoolConfig = { connectionString: url, keepAlive: true, connectionTimeoutMillis: 10_000 };
  const statementTimeout = options.statementTimeoutMs ?? 30_000;
  const pool = new pg.Pool({ ...base, max: options.poolSize ?? 10, application_name: 'registrar', ...(statementTimeout ? { statement_timeout: statementTimeout } : {}) });
  // Lock waits are long by nature: no statement timeout on the connections that wait for them.
  const lockPool = new pg.Pool({ ...base, max: options.lockPoolSize ?? 10, application_name: 'registrar-locks' });
  // pg reports a dropped idle connection on the pool; unheard, that would end the process.
  pool.on('error', onError);
  lockPool.on('error', onError);

  const schemas = options.schemas ?? SCHEMA;
  let t;
  let instance: InstanceLock | undefined;
  try {
    const schema = options.schema ?? (await poolQuery(pool)<{ s: string | null }>({ text: 'SELECT current_schema() AS s' })).rows[0]?.s;
    if (!schema) throw new AppError('STORE_NO_SCHEMA', 'the PostgreSQL connection has no current schema: its search_path names no schema that exists. Create the schema, or set search_path to one that exists');
    t = tablesIn(schema);
    // On a lock connection: waiting for another instance's migration is no statement to time out.
    await migrate(lockPool, t, schemas, options.migrations ?? MIGRATIONS);
    instance = await holdInstanceLock(base, t, options.instanceLock ?? 'shared', { onError });
  } catch (err) {
    await Promise.all([pool.end(), lockPool.end()]);
    throw err instanceof AppError ? err : new AppError('STORE_UNAVAILABLE', `PostgreSQL could not be opened: ${(err as Error).message}`, { cause: err });
  }

  const inFlight = new Set<Promise<unknown>>();
  let closed = false;
  function track<R>(work: () => Promise<R>): Promise<R> {
    if (closed) return Promise.reject(new AppError('STORE_CLOSED', 'the store is closed'));
    const running = work();
    inFlight.add(running);
    const done = () => inFlight.delete(running);
    running.then(done, done);
    return running;
  }

  const context = { pool, t, attempts: options.attempts ?? 5, track, schemaOf: (name: string) => (Object.hasOwn(schemas, name) ? schemas[name]! : {}) };
  const collections = new Map<string, Collection<unknown>>();
  const locks = advisoryLocks(lockPool, t, onError);

  return {
    collection<T>(name: string): Collection<T> {
      let c = collections.get(name);
      if (!c) collections.set(name, (c = pgCollection<unknown>(context, name)));
      return c as Collection<T>;
    },
    lock: (key, fn) => track(() => locks.lock(key, fn)),
    rewriteAll: (fn) => track(() => rewriteAll(pool, t, context.schemaOf, fn)),
    exclusive: (name, fn) => track(() => locks.exclusive(name, fn)),
    async close() {
      if (closed) return;
      // Work in flight may start more (a lock's callback writes): wait until none is left.
      while (inFlight.size) await Promise.allSettled([...inFlight]);
      closed = true;
      await Promise.all([pool.end(), lockPool.end(), instance.release()]);
    },
  };
}
