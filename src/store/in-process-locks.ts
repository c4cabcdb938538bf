import { createKeyedLock } from '../lib/keyed-lock.js';
import type { Store } from './store.js';

/**
 * `Store.lock` and `Store.exclusive` for a store only one process opens (memory; lowdb, whose
 * DATA_DIR lock keeps every other process out): keyed locks and a set of running jobs in memory.
 *
 * @example
 *   return { ...inProcessLocks(), collection, close };
 */
export function inProcessLocks(): Pick<Store, 'lock' | 'exclusive'> {
  const locks = createKeyedLock();
  const running = new Set<string>();
  return {
    lock: (key, fn) => locks.run(key, fn),
    async exclusive(name, fn) {
      if (running.has(name)) return undefined;
      running.add(name);
      try {
        return await fn();
      } finally {
        running.delete(name);
      }
    },
  };
}
