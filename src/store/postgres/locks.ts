import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import { AppError } from '../../lib/errors.js';
import { createKeyedLock } from '../../lib/keyed-lock.js';
import { StoreWriteError } from '../store.js';
import { DbFailure, withClient, type Session } from './connection.js';
import { advisoryKey, type Tables } from './tables.js';

/**
 * `Store.lock` and `Store.exclusive` across processes: PostgreSQL session-level advisory locks,
 * each held on a connection of a pool of their own for as long as the work runs. The work itself
 * uses the store's main pool, so a held lock never starves the queries it is waiting for. A process
 * that dies loses its sessions, and the server releases their locks with them.
 *
 * Within one process, callers of the same key queue in memory first, so a key waits on at most one
 * connection; the lock pool bounds how many keys can be held (or waited for) at once. Nesting locks
 * deeper than that pool would wait for ever: keep locked work flat.
 *
 * A lock whose connection is lost (the server ended the session, the socket closed) is released by
 * the server, and another instance may take it. The work holding it is told at its next write:
 * `assertLocksHeld` (called by every write of the store) throws a StoreWriteError, and `lock` or
 * `exclusive` rejects with one when the work ends. So work that lost its lock stops changing
 * anything, as if its process had died there; start-up and the sweeps finish or undo it as they do
 * after a crash.
 *
 * @example
 *   const locks = advisoryLocks(lockPool, tables);
 *   await locks.lock(`person:${accountId}:${personId}`, () => startForm());
 */
export interface AdvisoryLocks {
  lock<R>(key: string, fn: () => Promise<R>): Promise<R>;
  exclusive<R>(name: string, fn: () => Promise<R>): Promise<R | undefined>;
}

interface Held {
  key: string;
  lost?: Error;
}
/** The locks the running work holds (outermost first), across awaits. */
const holding_ = new AsyncLocalStorage<readonly Held[]>();

/** Throws a StoreWriteError when the running work holds a lock whose connection was lost. */
export function assertLocksHeld(): void {
  const lost = holding_.getStore()?.find((h) => h.lost);
  if (lost) throw lockLost(lost);
}

const lockLost = (held: Held) =>
  new StoreWriteError(new AppError('STORE_LOCK_LOST', `the connection holding the lock ${held.key} was lost, so another instance may hold it now`, { cause: held.lost }));

export function advisoryLocks(pool: pg.Pool, t: Tables, onError?: (err: Error) => void): AdvisoryLocks {
  const local = createKeyedLock();

  /** Runs `fn` on a lock connection that took `lockKey` with `take`; unlocks (or drops the connection) after. */
  async function holding<R>(lockKey: string, take: 'pg_advisory_lock' | 'pg_try_advisory_lock', fn: () => Promise<R>): Promise<{ ran: true; value: R } | { ran: false }> {
    try {
      return await withClient(
        pool,
        async (session) => {
          const got = await session.q<{ got: boolean | string }>({ text: `SELECT ${take}(hashtextextended($1, 0)) AS got`, values: [lockKey] });
          // pg_advisory_lock returns void (''), pg_try_advisory_lock a boolean.
          if (got.rows[0]?.got === false) return { ran: false as const };
          const held: Held = { key: lockKey };
          const lose = (err?: Error) => (held.lost ??= err ?? new Error('the connection ended'));
          const ended = () => lose();
          session.client.on('error', lose);
          session.client.on('end', ended);
          try {
            const value = await holding_.run([...(holding_.getStore() ?? []), held], fn);
            if (held.lost) throw lockLost(held);
            return { ran: true as const, value };
          } finally {
            session.client.off('error', lose);
            session.client.off('end', ended);
            if (held.lost) session.discard(held.lost);
            else await unlock(session, lockKey);
          }
        },
        onError,
      );
    } catch (err) {
      // Taking or giving back the lock failed (the database is unreachable): nothing of `fn` ran
      // unlocked, and the user is told to try again.
      if (err instanceof DbFailure) throw new StoreWriteError(err.cause);
      throw err;
    }
  }

  async function unlock(session: Session, lockKey: string): Promise<void> {
    try {
      await session.q({ text: 'SELECT pg_advisory_unlock(hashtextextended($1, 0))', values: [lockKey] });
    } catch (err) {
      // Closing the session releases every lock it holds.
      session.discard(err as Error);
    }
  }

  return {
    lock(key, fn) {
      return local.run(key, async () => {
        const held = await holding(advisoryKey(t, 'lock', key), 'pg_advisory_lock', fn);
        // pg_advisory_lock waits until it has the lock; it never answers "not taken".
        if (!held.ran) throw new AppError('STORE_LOCK_FAILED', `the lock ${key} was not taken`);
        return held.value;
      });
    },
    async exclusive(name, fn) {
      const held = await holding(advisoryKey(t, 'exclusive', name), 'pg_try_advisory_lock', fn);
      return held.ran ? held.value : undefined;
    },
  };
}
