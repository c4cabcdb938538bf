import type { Store } from './store.js';

/**
 * Locks of one kind ("person", "request", "subscription") over the store's lock, so they hold
 * across every process sharing the store (PostgreSQL advisory locks; in-process for lowdb).
 * `busy` tells whether this process is running or waiting on a key.
 *
 * @example
 *   const personLock = namedLock(store, 'person');
 *   await personLock.run(`${accountId}:${personId}`, () => applyClick(ctx));
 */
export interface NamedLock {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  busy(key: string): boolean;
}

export function namedLock(store: Store, kind: string): NamedLock {
  const local = new Map<string, number>();
  return {
    async run(key, fn) {
      local.set(key, (local.get(key) ?? 0) + 1);
      try {
        return await store.lock(`${kind}:${key}`, fn);
      } finally {
        const n = (local.get(key) ?? 1) - 1;
        if (n === 0) local.delete(key);
        else local.set(key, n);
      }
    },
    busy: (key) => local.has(key),
  };
}
