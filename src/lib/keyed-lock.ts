/**
 * Runs work one at a time per key (a person, an account), in arrival order. Different keys run
 * side by side. In-process only, which matches the single-process store.
 *
 * @example
 *   const lock = createKeyedLock();
 *   await lock.run(`${accountId}:${personId}`, () => startFlow());
 */
export interface KeyedLock {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** True while work for `key` is running or queued. */
  busy(key: string): boolean;
}

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, fn) {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.catch(() => undefined).then(fn);
      const tail = result.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key); // nothing queued behind us
      });
      return result;
    },
    busy: (key) => tails.has(key),
  };
}
