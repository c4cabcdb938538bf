import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Data } from '../store.js';
import { parseJournal } from './journal-format.js';

const SETS = ['registrar', 'handled-events'];

/**
 * What the lowdb store files in `dataDir` hold, read without opening the store (no lock, nothing
 * repaired or written): every snapshot, then `.journal.old` and the journal replayed over it, a torn
 * last line left out. For tests and tools that look at DATA_DIR while a bot runs or after it died.
 *
 * @example
 *   const apps = Object.values(readStoreFiles(dataDir).apps ?? {});
 */
export function readStoreFiles(dataDir: string): Data {
  const docs = new Map<string, Map<string, unknown>>();
  const set = (name: string, id: string, value: unknown) => {
    let c = docs.get(name);
    if (!c) docs.set(name, (c = new Map()));
    if (value === undefined) c.delete(id);
    else c.set(id, value);
  };
  for (const base of SETS) {
    const snapshot = join(dataDir, `${base}.json`);
    if (existsSync(snapshot)) {
      const data = JSON.parse(readFileSync(snapshot, 'utf8')) as Data;
      for (const [name, values] of Object.entries(data)) for (const [id, value] of Object.entries(values)) set(name, id, value);
    }
    for (const journal of [join(dataDir, `${base}.journal.old`), join(dataDir, `${base}.journal`)]) {
      if (!existsSync(journal)) continue;
      parseJournal(journal, readFileSync(journal), (changes) => {
        for (const { name, id, text } of changes) set(name, id, text === undefined ? undefined : JSON.parse(text));
      });
    }
  }
  const out: Data = {};
  for (const [name, values] of docs) {
    const docsOut: Record<string, unknown> = {};
    for (const [id, value] of values) Object.defineProperty(docsOut, id, { value, enumerable: true, writable: true, configurable: true });
    Object.defineProperty(out, name, { value: docsOut, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
