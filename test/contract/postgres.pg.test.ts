import type { Store } from '../../src/store/store.js';
import { freshSchema, openPostgresStore } from '../helpers/postgres.js';
import { storeContract } from './store-contract.js';

/** Each store gets a schema of its own; `second` is another store (another pool) on the same one, as a second instance. */
const schemas = new WeakMap<Store, string>();
const open = async (schema: string) => {
  const store = await openPostgresStore({ schema });
  schemas.set(store, schema);
  return store;
};

storeContract('postgres', {
  open: () => open(freshSchema()),
  second: (first) => open(schemas.get(first)!),
  async reopen(closed) {
    await closed.close();
    return open(schemas.get(closed)!);
  },
});
