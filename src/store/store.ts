import { AppError } from '../lib/errors.js';

/**
 * The storage seam: named collections of JSON documents keyed by id. Every adapter round-trips
 * values through JSON, so a Date or a Map breaks in unit tests rather than in production.
 *
 * Rules every adapter keeps:
 * - Ids are looked up among the collection's own keys only: `constructor`, `__proto__` or
 *   `toString` are ids like any other, never something inherited.
 * - A change is all-or-nothing: it is in memory and persisted, or in neither. A failed write
 *   throws a `StoreWriteError` (code STORE_WRITE_FAILED) and leaves what readers see unchanged.
 * - Readers see only persisted changes.
 * - `update` is the one atomic primitive: the callback runs against the current value with no other
 *   change interleaved, which is what "first decision wins" and "act once per event" need.
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
  /** Waits for changes in flight, then releases the store. */
  close(): Promise<void>;
}

/** The persisted shape: collection name → id → document. */
export type Data = Record<string, Record<string, unknown>>;

/** A change could not be persisted; nothing of it took effect. */
export class StoreWriteError extends AppError {
  constructor(cause: unknown) {
    super('STORE_WRITE_FAILED', `the store could not save a change: ${(cause as Error)?.message ?? String(cause)}`, {
      status: 503,
      userMessage: 'I could not save that just now, so nothing was changed. Please try again in a moment.',
      cause,
    });
    this.name = 'StoreWriteError';
  }
}

/** Documents are kept as JSON text: every read is a fresh copy, and nothing shares structure. */
type Docs = Map<string, string>;

const encode = (value: unknown): string => {
  const text = JSON.stringify(value);
  if (text === undefined) throw new AppError('STORE_VALUE_INVALID', 'a stored value must be JSON');
  return text;
};
const decode = <T>(text: string | undefined): T | undefined => (text === undefined ? undefined : (JSON.parse(text) as T));

/** Builds the in-memory maps from persisted data, own keys only. */
export function fromData(data: Data): Map<string, Docs> {
  const collections = new Map<string, Docs>();
  for (const [name, docs] of Object.entries(data)) {
    const map: Docs = new Map();
    for (const [id, value] of Object.entries(docs)) map.set(id, encode(value));
    collections.set(name, map);
  }
  return collections;
}

/** The persisted form of the maps (Object.fromEntries defines own keys, `__proto__` included). */
export function toData(collections: Map<string, Docs>): Data {
  const data: Data = {};
  for (const [name, docs] of collections) {
    if (docs.size === 0) continue;
    Object.defineProperty(data, name, {
      value: Object.fromEntries([...docs].map(([id, text]) => [id, JSON.parse(text) as unknown])),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return data;
}

/** One change to apply: a document set to a JSON text, or removed (`undefined`). */
type Change = { name: string; id: string; text: string | undefined };

/**
 * Builds a store over in-memory maps; `persist` receives the whole next state and must resolve only
 * once it is durable (the lowdb adapter writes its file there, the memory adapter does nothing).
 * Changes run one at a time; a change is applied to memory only after `persist` succeeded.
 */
export function documentStore(
  initial: Map<string, Docs>,
  persist: (next: () => Data) => Promise<void>,
  close: () => Promise<void> = async () => {},
): Store {
  const collections = initial;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const docsOf = (name: string): Docs => collections.get(name) ?? new Map();

  /** Runs `plan` after every earlier change; persists what it returns, then applies it. */
  function change<R>(plan: () => { changes: Change[]; result: R }): Promise<R> {
    const run = queue.then(async () => {
      if (closed) throw new AppError('STORE_CLOSED', 'the store is closed');
      const { changes, result } = plan();
      if (changes.length === 0) return result;
      const next = new Map(collections);
      for (const name of new Set(changes.map((c) => c.name))) next.set(name, new Map(docsOf(name)));
      for (const c of changes) {
        const docs = next.get(c.name)!;
        if (c.text === undefined) docs.delete(c.id);
        else docs.set(c.id, c.text);
      }
      try {
        await persist(() => toData(next));
      } catch (err) {
        throw new StoreWriteError(err);
      }
      for (const name of new Set(changes.map((c) => c.name))) collections.set(name, next.get(name)!);
      return result;
    });
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    collection<T>(name: string): Collection<T> {
      return {
        async get(id) {
          return decode<T>(docsOf(name).get(String(id)));
        },
        async list() {
          return [...docsOf(name).values()].map((text) => JSON.parse(text) as T);
        },
        removeWhere(match) {
          return change(() => {
            const gone = [...docsOf(name)].filter(([id, text]) => match(JSON.parse(text) as T, id)).map(([id]) => id);
            return { changes: gone.map((id) => ({ name, id, text: undefined })), result: gone.length };
          });
        },
        put(id, value) {
          const text = encode(value);
          return change(() => ({ changes: [{ name, id: String(id), text }], result: undefined }));
        },
        delete(id) {
          return change(() => {
            const had = docsOf(name).has(String(id));
            return { changes: had ? [{ name, id: String(id), text: undefined }] : [], result: had };
          });
        },
        update(id, fn) {
          return change(() => {
            const current = docsOf(name).get(String(id));
            const after = fn(decode<T>(current));
            if (after === undefined) return { changes: [], result: { before: decode<T>(current), after: decode<T>(current) } };
            const text = encode(after);
            return { changes: [{ name, id: String(id), text }], result: { before: decode<T>(current), after: decode<T>(text) } };
          });
        },
      };
    },
    async close() {
      await queue;
      closed = true;
      await close();
    },
  };
}

export function createMemoryStore(): Store {
  return documentStore(new Map(), async () => {});
}
