import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { engineStore } from './engine-store.js';
import { MemoryEngine } from './memory-engine.js';
import { PrivateJSONFile, StoreFileError } from './private-json-file.js';
import type { Data, Store } from './store.js';

export interface LowdbStoreOptions {
  fileName?: string;
  /** Wraps the file adapter (tests inject a failing disk here). */
  adapter?: (file: Adapter<Data>) => Adapter<Data>;
}

/**
 * The default adapter: one JSON file in DATA_DIR, written durably with mode 0600 before a change
 * is acknowledged. Built from `Low` and our own file adapter on purpose: `JSONFilePreset` silently
 * keeps data in memory when NODE_ENV=test.
 */
export async function createLowdbStore(dataDir: string, options: LowdbStoreOptions = {}): Promise<Store> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, options.fileName ?? 'registrar.json');
  const file = new PrivateJSONFile<Data>(path);
  // Hashes and ciphertexts live here: the file is kept to its owner.
  const db = new Low<Data>(options.adapter ? options.adapter(file) : file, {});
  await db.read();
  const data = db.data ?? {};
  for (const [name, docs] of Object.entries(data)) {
    if (typeof docs !== 'object' || docs === null || Array.isArray(docs)) throw new StoreFileError(path, `has a malformed collection "${name}"`);
  }
  const engine = MemoryEngine.fromData(data);
  return engineStore(engine, async (changes, current) => {
    // Whole-file layout for now: the next state is the current one with the changes applied.
    const next = MemoryEngine.fromData(current.toData());
    next.apply(changes);
    db.data = next.toData();
    await db.write();
  });
}
