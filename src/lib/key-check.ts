import { existsSync } from 'node:fs';
import { ConfigError } from '../config.js';
import type { Store } from '../store/store.js';
import { withRetiredHashKeys, type Keys } from './crypto-keys.js';

/**
 * What the store keeps about its key, in `meta/key-check`: a known text sealed with it (so a wrong
 * key is caught at start-up) and the HMAC keys of the master keys a re-key replaced, each sealed
 * with the current key, so client secret hashes made before a re-key still verify.
 */
export interface KeyCheck {
  sealed: string;
  /** Hex HMAC keys of earlier master keys, each sealed with the current key; verification only. */
  retiredHashKeys?: string[];
  /** When the last re-key (src/rekey/) committed. */
  rekeyedAt?: string;
}

export const KEY_CHECK = 'registrar key check v1';
export const KEY_CHECK_ID = 'key-check';

export interface VerifyKeysOptions {
  /** A key file a re-key writes before it commits (DATA_DIR/secret.key.new): named when the key does not fit. */
  pendingKeyFile?: string | undefined;
}

/**
 * Confirms that `keys` are the ones the store was sealed with: a value sealed at the first start is
 * opened again (older stores: a stored bot token). A wrong key stops start-up naming where it came
 * from, instead of a bot that starts and then cannot read a single token. Resolves to `keys` with
 * the store's retired hash keys added (see KeyCheck).
 *
 * @example
 *   const keys = await verifyKeysAgainst(store, loadKeys({ dataDir }), 'DATA_DIR/secret.key');
 */
export async function verifyKeysAgainst(store: Store, keys: Keys, source: string, options: VerifyKeysOptions = {}): Promise<Keys> {
  const meta = store.collection<KeyCheck>('meta');
  const check = await meta.get(KEY_CHECK_ID);
  const sample = check?.sealed ?? (await store.collection<{ tokenSealed?: string }>('installations').list()).find((i) => i.tokenSealed)?.tokenSealed;
  if (sample !== undefined) {
    try {
      keys.decrypt(sample);
    } catch {
      const pending = options.pendingKeyFile && existsSync(options.pendingKeyFile);
      throw new ConfigError([
        `${source}: is not the key this DATA_DIR's store was sealed with. Restore the key it was sealed with; a different key leaves every stored token and secret unreadable.` +
          (pending
            ? ` ${options.pendingKeyFile} exists: a re-key (npm run rekey) was interrupted. Run it again to finish; it moves the new key into place.`
            : check?.rekeyedAt
              ? ` The store was re-keyed at ${check.rekeyedAt} (npm run rekey): use the new key.`
              : ''),
      ]);
    }
  }
  if (!check) {
    await meta.put(KEY_CHECK_ID, { sealed: keys.encrypt(KEY_CHECK) });
    return keys;
  }
  const retired = (check.retiredHashKeys ?? []).map((sealed) => Buffer.from(keys.decrypt(sealed), 'hex'));
  return withRetiredHashKeys(keys, retired);
}
