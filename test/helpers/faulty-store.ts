import { StoreWriteError, type Collection, type Store } from '../../src/store/store.js';

/** Decides whether a write fails: the collection, the id, and the value it would store (undefined: a delete). */
export type WriteFault = (name: string, id: string, value: unknown) => boolean;

/**
 * Wraps a store so chosen writes fail the way a full disk makes them fail (StoreWriteError, and
 * nothing changes), while everything else goes through. `faults.add` arms a rule; rules stay until removed.
 *
 * @example
 *   const { store, faults } = faultyStore(createMemoryStore());
 *   const stop = faults.add((name, _id, v) => name === 'apps' && (v as App)?.status === 'active');
 */
export function faultyStore(inner: Store) {
  const rules = new Set<WriteFault>();
  const fails = (name: string, id: string, value: unknown) => [...rules].some((rule) => rule(name, id, value));
  const diskFull = () => new StoreWriteError(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
  const store: Store = {
    collection<T>(name: string): Collection<T> {
      const c = inner.collection<T>(name);
      return {
        get: (id) => c.get(id),
        find: (index, key) => c.find(index, key),
        due: (index, upTo, limit) => c.due(index, upTo, limit),
        list: () => c.list(),
        count: () => c.count(),
        async prune(index, upTo) {
          if (rules.size && fails(name, '*', undefined)) throw diskFull();
          return c.prune(index, upTo);
        },
        async put(id, value) {
          if (fails(name, id, value)) throw diskFull();
          return c.put(id, value);
        },
        async delete(id) {
          if (fails(name, id, undefined)) throw diskFull();
          return c.delete(id);
        },
        async update(id, fn) {
          let failed = false;
          const result = await c.update(id, (cur) => {
            const next = fn(cur);
            if (next !== undefined && fails(name, id, next)) {
              failed = true;
              return undefined;
            }
            return next;
          });
          if (failed) throw diskFull();
          return result;
        },
      };
    },
    lock: (key, fn) => inner.lock(key, fn),
    exclusive: (name, fn) => inner.exclusive(name, fn),
    close: () => inner.close(),
  };
  return {
    store,
    faults: {
      add(rule: WriteFault) {
        rules.add(rule);
        return () => void rules.delete(rule);
      },
      clear: () => rules.clear(),
    },
  };
}
