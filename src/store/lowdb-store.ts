import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { documentStore, type Data, type Store } from './store.js';

/**
 * The default adapter: one JSON file in DATA_DIR, written atomically by lowdb (steno) after each
 * change. Built from `Low` + `JSONFile` on purpose: `JSONFilePreset` silently keeps data in memory
 * when NODE_ENV=test.
 */
export async function createLowdbStore(dataDir: string, fileName = 'registrar.json'): Promise<Store> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, fileName);
  const db = new Low<Data>(new JSONFile<Data>(path), {});
  await db.read();
  db.data ??= {};
  let chmodDone = false;
  return documentStore(db.data, async () => {
    await db.write();
    if (!chmodDone) {
      // Hashes and ciphertexts live here: keep the file to its owner.
      await chmod(path, 0o600);
      chmodDone = true;
    }
  });
}
