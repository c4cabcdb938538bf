import { AppError } from '../lib/errors.js';

/**
 * The storage seam: named collections of JSON documents keyed by id, with the indexes the bot's
 * queries need (src/store/schema.ts), so no query lists a whole collection. Adapters: memory
 * (tests), lowdb (the embedded default) and PostgreSQL (several instances); one contract suite
 * (test/contract) runs unchanged against each.
 *
 * Rules every adapter keeps:
 * - Ids are looked up among the collection's own keys only: `constructor`, `__proto__` or
 *   `toString` are ids like any other, never something inherited.
 * - A change is all-or-nothing: it is stored durably and visible, or neither. A failed write
 *   throws a `StoreWriteError` (code STORE_WRITE_FAILED) and leaves what readers see unchanged.
 * - Readers see only durable changes.
 * - `update` is the atomic primitive: the callback runs against the current value with no other
 *   change to that document interleaved, across every process sharing the store (two writers, one
 *   wins). It may be called more than once, so it must be pure. Returning `undefined` writes nothing.
 * - Values are JSON objects and round-trip through JSON. Ids are text of at most MAX_ID_BYTES bytes.
 *
 * @example
 *   const flows = store.collection<Flow>('flows');
 *   await flows.update(id, (cur) => (cur?.version === 3 ? { ...cur, version: 4 } : undefined));
 *   const mine = await flows.find('owner', `${accountId}:${personId}`);
 *   const due = await store.collection<Reveal>('reveals').due('hideAt', Date.now());
 */
export interface Collection<T> {
  get(id: string): Promise<T | undefined>;
  put(id: string, value: T): Promise<void>;
  delete(id: string): Promise<boolean>;
  update(id: string, fn: (current: T | undefined) => T | undefined): Promise<{ before: T | undefined; after: T | undefined }>;
  /** The documents an equality index files under `key` (schema.ts), in no particular order. */
  find(index: string, key: string): Promise<T[]>;
  /** The documents an ordered index places at or below `upTo`, lowest first, at most `limit`. */
  due(index: string, upTo: number, limit?: number): Promise<T[]>;
  /** Deletes the documents an ordered index places at or below `upTo`; returns how many went. */
  prune(index: string, upTo: number): Promise<number>;
  /** Every document. For tests, tools and start-up checks; the bot's queries use indexes. */
  list(): Promise<T[]>;
  count(): Promise<number>;
}

export interface Store {
  collection<T>(name: string): Collection<T>;
  /**
   * Runs `fn` holding `key` exclusively, across every process sharing the store (a person's form,
   * a request's follow-ups). Waits for the key; work for other keys goes on meanwhile.
   */
  lock<R>(key: string, fn: () => Promise<R>): Promise<R>;
  /**
   * Runs scheduled work `name` on one process at a time: resolves to undefined at once when another
   * process is running it (the periodic sweep, subscription renewal).
   */
  exclusive<R>(name: string, fn: () => Promise<R>): Promise<R | undefined>;
  /**
   * For tools (the re-key, src/rekey/), never for the bot's own work: rewrites documents of every
   * collection in one all-or-nothing change. `fn` sees each document and returns its replacement, or
   * undefined to leave it; it must not change what a document is indexed under. Resolves to the
   * number of documents rewritten. The adapters implement it; a wrapper may leave it out.
   */
  rewriteAll?(fn: Rewrite): Promise<number>;
  /** Waits for changes in flight, then releases the store. */
  close(): Promise<void>;
}

/** See Store.rewriteAll: a document's replacement, or undefined to leave it as it is. */
export type Rewrite = (collection: string, id: string, doc: Record<string, unknown>) => Record<string, unknown> | undefined;

/** The persisted shape of a snapshot: collection name → id → document. */
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

/** Ids longer than this (UTF-8 bytes) are refused by every adapter alike: PostgreSQL's btree keys cap what an id may be. */
export const MAX_ID_BYTES = 1024;

/** The id a document is written under: any text up to MAX_ID_BYTES bytes of UTF-8. */
export const docId = (id: unknown): string => {
  const text = String(id);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_ID_BYTES) throw new AppError('STORE_ID_INVALID', `a document id may be at most ${MAX_ID_BYTES} bytes (this one has ${bytes})`);
  return text;
};

/** A document is a JSON object: never null, an array or a bare value. */
export const isDocument = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A document as stored: JSON text, so every read is a fresh copy and nothing shares structure. */
export const encodeDoc = (value: unknown): string => {
  if (!isDocument(value)) throw new AppError('STORE_VALUE_INVALID', 'a stored value must be a JSON object');
  const text = JSON.stringify(value);
  if (text === undefined) throw new AppError('STORE_VALUE_INVALID', 'a stored value must be JSON');
  return text;
};

export const decodeDoc = <T>(text: string | undefined): T | undefined => (text === undefined ? undefined : (JSON.parse(text) as T));
