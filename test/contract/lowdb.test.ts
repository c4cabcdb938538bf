import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLowdbStore } from '../../src/store/lowdb-store.js';
import type { Store } from '../../src/store/store.js';
import { storeContract } from './store-contract.js';

const dirs = new WeakMap<Store, string>();
storeContract('lowdb', {
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'registrar-contract-'));
    const store = await createLowdbStore(dir);
    dirs.set(store, dir);
    return store;
  },
  async reopen(closed) {
    await closed.close();
    return createLowdbStore(dirs.get(closed)!);
  },
});
