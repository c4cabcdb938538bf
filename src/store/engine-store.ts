import { AppError } from '../lib/errors.js';
import { inProcessLocks } from './in-process-locks.js';
import { MemoryEngine, type Change } from './memory-engine.js';
import { decodeDoc, docId, encodeDoc, StoreWriteError, type Collection, type Rewrite, type Store } from './store.js';

/**
 * A Store over a MemoryEngine, for the adapters whose state lives in this process (memory,
 * lowdb). Changes run one at a time; each is handed to `persist` (which must resolve only once it
 * is durable) and applied to the engine only after that, so a failed write leaves memory as it was.
 * Locks and exclusive work are in-process: these adapters serve one process (lowdb holds a lock
 * file on DATA_DIR).
 *
 * @example
 *   const store = engineStore(new MemoryEngine(), async (changes) => appendToJournal(changes));
 */
export interface EngineStoreOptions {
  /** Called after the last change before close (flush, release a lock file). */
  close?: () => Promise<void>;
}

export function engineStore(engine: MemoryEngine, persist: (changes: readonly Change[], engine: MemoryEngine) => Promise<void>, options: EngineStoreOptions = {}): Store {
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  /** Runs `plan` after every earlier change; persists what it returns, then applies it. */
  function change<R>(plan: () => { changes: Change[]; result: R }): Promise<R> {
    const run = queue.then(async () => {
      if (closed) throw new AppError('STORE_CLOSED', 'the store is closed');
      const { changes, result } = plan();
      if (changes.length === 0) return result; // nothing changed: nothing is written
      try {
        await persist(changes, engine);
      } catch (err) {
        throw new StoreWriteError(err);
      }
      engine.apply(changes);
      return result;
    });
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    collection<T>(name: string): Collection<T> {
      const docs = (texts: string[]) => texts.map((t) => JSON.parse(t) as T);
      return {
        async get(id) {
          return decodeDoc<T>(engine.get(name, String(id)));
        },
        async put(id, value) {
          const text = encodeDoc(value);
          const key = docId(id);
          return change(() => ({ changes: engine.get(name, key) === text ? [] : [{ name, id: key, text }], result: undefined }));
        },
        delete(id) {
          const key = String(id);
          return change(() => {
            const had = engine.get(name, key) !== undefined;
            return { changes: had ? [{ name, id: key, text: undefined }] : [], result: had };
          });
        },
        async update(id, fn) {
          const key = docId(id);
          return change(() => {
            const current = engine.get(name, key);
            const after = fn(decodeDoc<T>(current));
            if (after === undefined) return { changes: [], result: { before: decodeDoc<T>(current), after: decodeDoc<T>(current) } };
            const text = encodeDoc(after);
            // An update that changes nothing (a duplicate event) writes nothing.
            const changes = text === current ? [] : [{ name, id: key, text }];
            return { changes, result: { before: decodeDoc<T>(current), after: decodeDoc<T>(text) } };
          });
        },
        async find(index, key) {
          return docs(engine.find(name, index, key));
        },
        async due(index, upTo, limit) {
          return docs(engine.dueIds(name, index, upTo, limit).map((id) => engine.get(name, id)!));
        },
        prune(index, upTo) {
          return change(() => {
            const ids = engine.dueIds(name, index, upTo);
            return { changes: ids.map((id) => ({ name, id, text: undefined })), result: ids.length };
          });
        },
        async list() {
          return docs(engine.all(name));
        },
        async count() {
          return engine.count(name);
        },
      };
    },
    ...inProcessLocks(),
    rewriteAll(fn) {
      // One change holding every rewritten document: persisted and applied together, or not at all.
      return change(() => {
        const changes = planRewrite(engine.names().map((name) => [name, engine.entries(name)] as const), fn);
        return { changes, result: changes.length };
      });
    },
    async close() {
      await queue;
      closed = true;
      await options.close?.();
    },
  };
}

/** The changes `fn` makes to the given documents (Store.rewriteAll), leaving out those it keeps as they are. */
export function planRewrite(collections: Iterable<readonly [name: string, entries: ReadonlyArray<readonly [id: string, text: string]>]>, fn: Rewrite): Change[] {
  const changes: Change[] = [];
  for (const [name, entries] of collections) {
    for (const [id, text] of entries) {
      const after = fn(name, id, JSON.parse(text) as Record<string, unknown>);
      if (after === undefined) continue;
      const next = encodeDoc(after);
      if (next !== text) changes.push({ name, id, text: next });
    }
  }
  return changes;
}

export function createMemoryStore(): Store {
  return engineStore(new MemoryEngine(), async () => {});
}
