import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { PrivateJSONFile } from './private-json-file.js';
import { documentStore, type Data, type Store } from './store.js';

/**
 * The default adapter: one JSON file in DATA_DIR, written atomically with mode 0600 after each
 * change. Built from `Low` and our own file adapter on purpose: `JSONFilePreset` silently keeps
 * data in memory when NODE_ENV=test.
 */
export async function createLowdbStore(dataDir: string, fileName = 'registrar.json'): Promise<Store> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, fileName);
  // Hashes and ciphertexts live here: the file is kept to its owner.
  const db = new Low<Data>(new PrivateJSONFile<Data>(path), {});
  await db.read();
  db.data ??= {};
  return documentStore(db.data, () => db.write());
}
