import { createPostgresStore } from '../../src/store/postgres-store.js';

/**
 * A second process for the PostgreSQL lock tests: takes HOLD_LOCK with Store.lock and HOLD_EXCLUSIVE
 * with Store.exclusive on the store at PG_URL / PG_SCHEMA, prints "holding", and holds both until it
 * is killed.
 */
const store = await createPostgresStore(process.env.PG_URL!, { schema: process.env.PG_SCHEMA! });
const forever = () => new Promise<never>(() => setInterval(() => {}, 60_000));
let held = 0;
const hold = () => {
  if (++held === 2) console.log('holding');
  return forever();
};
void store.lock(process.env.HOLD_LOCK!, hold);
void store.exclusive(process.env.HOLD_EXCLUSIVE!, hold);
