import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { PrivateJSONFile, StoreFileError } from './private-json-file.js';
import { documentStore, fromData, type Data, type Store } from './store.js';

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
  return documentStore(fromData(data), async (next) => {
    db.data = next();
    await db.write();
  });
}
