import { inProcessLocks } from '../in-process-locks.js';
import type { MemoryEngine } from '../memory-engine.js';
import { decodeDoc, docId, encodeDoc, type Collection, type Store } from '../store.js';
import type { GroupCommit } from './group-commit.js';

/**
 * The Store interface over committed state in memory and a group commit per set of files: reads go
 * to the engine (committed changes only), writes are planned inside their batch (so `update` sees
 * every change before it, and an update that changes nothing writes nothing) and answered once
 * their batch is durable. Locks and exclusive work are in-process: DATA_DIR's lock file keeps any
 * other process out.
 *
 * @example
 *   const store = journaledStore(state.engine, (name) => (isEventIds(name) ? eventCommits : mainCommits), close);
 */
export function journaledStore(engine: MemoryEngine, commitsFor: (name: string) => GroupCommit, close: () => Promise<void>): Store {
  let closing: Promise<void> | undefined;

  return {
    collection<T>(name: string): Collection<T> {
      const commits = commitsFor(name);
      const docs = (texts: string[]) => texts.map((t) => JSON.parse(t) as T);
      return {
        async get(id) {
          return decodeDoc<T>(engine.get(name, String(id)));
        },
        async put(id, value) {
          const key = docId(id);
          const text = encodeDoc(value); // now: the caller may change its object after this call
          return commits.submit((view) => ({ changes: view.get(name, key) === text ? [] : [{ name, id: key, text }], result: undefined }));
        },
        async delete(id) {
          const key = String(id);
          return commits.submit((view) => {
            const had = view.get(name, key) !== undefined;
            return { changes: had ? [{ name, id: key, text: undefined }] : [], result: had };
          });
        },
        async update(id, fn) {
          const key = docId(id);
          return commits.submit((view) => {
            const current = view.get(name, key);
            const after = fn(decodeDoc<T>(current));
            if (after === undefined) return { changes: [], result: { before: decodeDoc<T>(current), after: decodeDoc<T>(current) } };
            const text = encodeDoc(after);
            // An update that changes nothing (a duplicate event) writes nothing.
            return { changes: text === current ? [] : [{ name, id: key, text }], result: { before: decodeDoc<T>(current), after: decodeDoc<T>(text) } };
          });
        },
        async find(index, key) {
          return docs(engine.find(name, index, key));
        },
        async due(index, upTo, limit) {
          return docs(engine.dueIds(name, index, upTo, limit).map((id) => engine.get(name, id)!));
        },
        async prune(index, upTo) {
          // Planned alone: indexes know only committed documents, not the rest of a batch.
          return commits.submit(
            () => {
              const ids = engine.dueIds(name, index, upTo);
              return { changes: ids.map((id) => ({ name, id, text: undefined })), result: ids.length };
            },
            { alone: true },
          );
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
    close() {
      return (closing ??= close());
    },
  };
}
