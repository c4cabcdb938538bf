import type pg from 'pg';

/**
 * Connections and transactions for the PostgreSQL store. Everything PostgreSQL or the socket throws
 * is wrapped in a `DbFailure`, so callers can tell a database failure (a StoreWriteError for the
 * user) from an error of their own (an update callback that throws, a value that is not JSON), which
 * passes through unchanged after the transaction is rolled back.
 *
 * @example
 *   const result = await withRetries(5, () => inTransaction(pool, async (q) => q('SELECT 1')));
 */
export class DbFailure extends Error {
  constructor(override readonly cause: unknown) {
    super((cause as Error)?.message ?? String(cause), { cause });
    this.name = 'DbFailure';
  }
  /** PostgreSQL's SQLSTATE, when the server answered. */
  get sqlState(): string | undefined {
    const code = (this.cause as { code?: unknown })?.code;
    return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  }
  /** The server rolled the transaction back and says trying again may succeed. */
  get retryable(): boolean {
    return this.sqlState === '40001' || this.sqlState === '40P01';
  }
}

/** An insert found the row another writer had just inserted: roll back and run the callback again. */
export class LostRace extends Error {
  constructor() {
    super('another writer created the document first');
    this.name = 'LostRace';
  }
}

export type Query = <R extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.QueryConfig) => Promise<pg.QueryResult<R>>;

/** Runs one statement on the pool (a connection of its own, autocommit). */
export function poolQuery(pool: pg.Pool): Query {
  return async (config) => {
    try {
      return await pool.query(config);
    } catch (err) {
      throw new DbFailure(err);
    }
  };
}

/**
 * Lends a connection to `fn` and returns it. A connection that failed (the socket closed, a
 * ROLLBACK that did not go through) is destroyed rather than returned, so no later call inherits a
 * half-finished transaction. An 'error' listener is kept while the connection is lent: pg emits
 * errors of idle sockets on the client, which would otherwise crash the process.
 */
export interface Session {
  client: pg.PoolClient;
  q: Query;
  /** Destroys the connection instead of returning it to the pool. */
  discard(err: Error): void;
}

export async function withClient<R>(pool: pg.Pool, fn: (session: Session) => Promise<R>, onError?: (err: Error) => void): Promise<R> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw new DbFailure(err);
  }
  let broken: Error | undefined;
  const listener = (err: Error) => {
    broken = err;
    onError?.(err);
  };
  client.on('error', listener);
  const q: Query = async (config) => {
    try {
      return await client.query(config);
    } catch (err) {
      throw new DbFailure(err);
    }
  };
  try {
    return await fn({ client, q, discard: (err) => (broken ??= err) });
  } catch (err) {
    // An error with no SQLSTATE from a query is the connection's, not the statement's.
    if (err instanceof DbFailure && err.sqlState === undefined) broken ??= err;
    throw err;
  } finally {
    client.off('error', listener);
    client.release(broken ?? false);
  }
}

/** Runs `fn` in one transaction: committed when it returns, rolled back when it throws. */
export function inTransaction<R>(pool: pg.Pool, fn: (q: Query) => Promise<R>): Promise<R> {
  return withClient(pool, async ({ q, discard }) => {
    await q({ text: 'BEGIN' });
    let result: R;
    try {
      result = await fn(q);
    } catch (err) {
      try {
        await q({ text: 'ROLLBACK' });
      } catch (rollbackFailure) {
        // The connection is gone (the server rolls back on its own) or unusable: it is not reused.
        discard(rollbackFailure as Error);
      }
      throw err;
    }
    await q({ text: 'COMMIT' });
    return result;
  });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `attempt` until it succeeds, at most `attempts` times while it fails with what PostgreSQL
 * calls retryable (serialisation failure, deadlock) or loses an insert race. Other errors end it
 * at once. Each try rolled back fully, so giving up leaves nothing changed.
 */
export async function withRetries<R>(attempts: number, attempt: () => Promise<R>): Promise<R> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const again = err instanceof LostRace || (err instanceof DbFailure && err.retryable);
      if (!again || i >= attempts) throw err;
      // Deadlocked writers back off by different amounts so they do not meet again.
      if (err instanceof DbFailure) await pause(Math.random() * 10 * i);
    }
  }
}
