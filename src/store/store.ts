/**
 * The storage seam: named collections of JSON documents keyed by id. Every adapter round-trips
 * values through JSON, so a Date or a Map breaks in unit tests rather than in production.
 *
 * `update` is the one atomic primitive: the callback runs against the current value with no other
 * store operation interleaved, which is what "first decision wins" and "act once per event" need.
 *
 * @example
 *   const installs = store.collection<Installation>('installations');
 *   await installs.put(accountId, record);
 *   await installs.update(accountId, (cur) => cur && { ...cur, botId });
 */
export interface Collection<T> {
  get(id: string): Promise<T | undefined>;
  list(): Promise<T[]>;
  /** Deletes every document `match` selects, in one write; returns how many went. */
  removeWhere(match: (value: T, id: string) => boolean): Promise<number>;
  put(id: string, value: T): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Runs `fn` atomically on the current value; returning `undefined` leaves the stored value as it was. */
  update(id: string, fn: (current: T | undefined) => T | undefined): Promise<{ before: T | undefined; after: T | undefined }>;
}

export interface Store {
  collection<T>(name: string): Collection<T>;
  close(): Promise<void>;
}

export type Data = Record<string, Record<string, unknown>>;

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/**
 * Builds a store over an in-memory document; `persist` is called after every change (the lowdb
 * adapter writes the file there, the memory adapter does nothing).
 */
export function documentStore(data: Data, persist: () => Promise<void>, close: () => Promise<void> = async () => {}): Store {
  return {
    collection<T>(name: string): Collection<T> {
      const docs = () => (data[name] ??= {}) as Record<string, T>;
      return {
        async get(id) {
          return clone(docs()[id]);
        },
        async list() {
          return Object.values(docs()).map(clone);
        },
        async removeWhere(match) {
          const all = docs();
          const gone = Object.keys(all).filter((id) => match(clone(all[id]) as T, id));
          for (const id of gone) delete all[id];
          if (gone.length) await persist();
          return gone.length;
        },
        async put(id, value) {
          docs()[id] = clone(value);
          await persist();
        },
        async delete(id) {
          const had = id in docs();
          delete docs()[id];
          if (had) await persist();
          return had;
        },
        async update(id, fn) {
          // Synchronous from read to write: nothing else can run in between on this event loop.
          const before = clone(docs()[id]);
          const after = fn(clone(before));
          if (after === undefined) return { before, after: before };
          docs()[id] = clone(after);
          await persist();
          return { before, after: clone(after) };
        },
      };
    },
    close,
  };
}

export function createMemoryStore(): Store {
  return documentStore({}, async () => {});
}
