import { ConfigError } from '../config.js';
import { hashKeyOf, keysFrom } from '../lib/crypto-keys.js';
import { AppError } from '../lib/errors.js';
import { KEY_CHECK, KEY_CHECK_ID, verifyKeysAgainst, type KeyCheck } from '../lib/key-check.js';
import type { Store } from '../store/store.js';
import { emptyTally, open, reseal, type ResealTally } from './reseal.js';

export interface RekeyResult extends ResealTally {
  /** 'already': the store was sealed with the new key before this run (a run that finished, then crashed). */
  status: 'rekeyed' | 'already';
  /** Documents rewritten. */
  documents: number;
  /** Hash keys of earlier master keys the store now keeps, the old key's included. */
  retiredHashKeys: number;
}

/**
 * Moves a store from master key `from` to master key `to`, all at once (Store.rewriteAll): every
 * value sealed with `from`, in any document of any collection, is sealed again with `to`, and
 * `meta/key-check` is rewritten in the same change to say the store is now sealed with `to` and to
 * keep `from`'s HMAC key (sealed with `to`) for verifying the client secret hashes made with it.
 * Those hashes cannot be made again (the secrets are not kept), so they stay as they are.
 *
 * Nothing is half done: a crash before the change leaves the store on `from`, after it on `to`; run
 * again with the same keys, it finishes (or finds it finished, `status: 'already'`). The store must
 * not be in use by a bot meanwhile (lowdb: DATA_DIR's lock; PostgreSQL: the instance lock).
 *
 * @example
 *   const store = await createLowdbStore(dataDir); // refused while the bot runs
 *   const result = await rekeyStore({ store, from: parseMasterKey(oldText), to: parseMasterKey(newText) });
 */
export async function rekeyStore({ store, from, to, now = () => new Date() }: { store: Store; from: Buffer; to: Buffer; now?: () => Date }): Promise<RekeyResult> {
  if (!store.rewriteAll) throw new AppError('REKEY_UNSUPPORTED', 'this store cannot be rewritten all at once');
  if (from.equals(to)) throw new ConfigError(['the new key is the key the store already has']);
  const [oldKeys, newKeys] = [keysFrom(from), keysFrom(to)];
  const meta = store.collection<KeyCheck>('meta');
  const check = await meta.get(KEY_CHECK_ID);
  if (check && open(newKeys, check.sealed) !== undefined) {
    // Finished before; a crash may have come before lowdb's journal was compacted, which this does.
    await store.rewriteAll(() => undefined);
    return { status: 'already', documents: 0, ...emptyTally(), retiredHashKeys: check.retiredHashKeys?.length ?? 0 };
  }
  // Proves `from` is the store's key (or makes the check value, for a store from before it had one).
  await verifyKeysAgainst(store, oldKeys, 'the current key (REGISTRAR_SECRET_KEY or DATA_DIR/secret.key)');

  const tally = emptyTally();
  let retiredHashKeys = 0;
  const documents = await store.rewriteAll((collection, id, doc) => {
    if (collection === 'meta' && id === KEY_CHECK_ID) {
      const current = doc as unknown as KeyCheck;
      if (open(oldKeys, current.sealed) === undefined) throw new ConfigError(['the store changed keys while being re-keyed']);
      const keep = new Set((current.retiredHashKeys ?? []).map((sealed) => oldKeys.decrypt(sealed)));
      keep.add(hashKeyOf(from).toString('hex'));
      keep.delete(hashKeyOf(to).toString('hex')); // back to a key used before: it is the current one again
      retiredHashKeys = keep.size;
      const next: KeyCheck = { ...current, sealed: newKeys.encrypt(KEY_CHECK), retiredHashKeys: [...keep].map((k) => newKeys.encrypt(k)), rekeyedAt: now().toISOString() };
      return next as unknown as Record<string, unknown>;
    }
    const next = reseal(doc, oldKeys, newKeys, tally);
    return next === doc ? undefined : next;
  });
  return { status: 'rekeyed', documents, ...tally, retiredHashKeys };
}
