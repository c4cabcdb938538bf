import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { AppError } from './errors.js';
import { ConfigError } from '../config.js';
import type { Store } from '../store/store.js';
import { readOrCreateSecretFile } from './secret-file.js';

/**
 * Encryption and keyed hashing for secrets at rest.
 * One 32-byte master key (REGISTRAR_SECRET_KEY, or generated once into DATA_DIR/secret.key with
 * mode 0600) is split with HKDF into an AES-256-GCM key and an HMAC-SHA256 key, so neither use can
 * leak the other.
 *
 * @example
 *   const keys = loadKeys({ dataDir: './data' });
 *   const sealed = keys.encrypt('s3cret'); keys.decrypt(sealed) === 's3cret';
 *   keys.hash('client-secret') // hex, stable for the same key
 */
export interface Keys {
  encrypt(plaintext: string): string;
  decrypt(sealed: string): string;
  hash(value: string): string;
  /** Constant-time check of `value` against a stored `hash(value)`. */
  verifyHash(value: string, storedHash: string): boolean;
}

export function parseMasterKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new AppError('KEY_INVALID', 'REGISTRAR_SECRET_KEY must be 32 bytes (64 hex characters or base64)');
  return key;
}

const MASTER_KEY_TEXT = /^[0-9a-fA-F]{64}$|^[A-Za-z0-9+/]{43}=$/;

/**
 * The keys from REGISTRAR_SECRET_KEY, or from DATA_DIR/secret.key (generated on the first start).
 * `sealedDataExists`: something is already sealed with a key (a store or state file exists), so a
 * missing key file is a lost key, never a reason to make a new one: that would leave every stored
 * token and secret unreadable while the bot seemed to start fine.
 */
export function loadKeys({ dataDir, secretKey, sealedDataExists = false }: { dataDir: string; secretKey?: string | undefined; sealedDataExists?: boolean }): Keys {
  const text =
    secretKey ??
    readOrCreateSecretFile(join(dataDir, 'secret.key'), {
      generate: () => randomBytes(32).toString('hex'),
      check: (v) => (MASTER_KEY_TEXT.test(v) ? undefined : 'does not hold a 32-byte key (64 hex characters or base64)'),
      missing: sealedDataExists
        ? 'is missing, but DATA_DIR holds data sealed with it. Restore secret.key from a backup (or set REGISTRAR_SECRET_KEY to the key); a new key would leave every stored token and secret unreadable.'
        : undefined,
    });
  return keysFrom(parseMasterKey(text));
}

const KEY_CHECK = 'registrar key check v1';

/**
 * Confirms that `keys` are the ones the store was sealed with: a value sealed at the first start is
 * opened again (older stores: a stored bot token). A wrong key stops start-up naming where it came
 * from, instead of a bot that starts and then cannot read a single token.
 */
export async function verifyKeysAgainst(store: Store, keys: Keys, source: string): Promise<void> {
  const meta = store.collection<{ sealed: string }>('meta');
  const check = await meta.get('key-check');
  const sample = check?.sealed ?? (await store.collection<{ tokenSealed?: string }>('installations').list()).find((i) => i.tokenSealed)?.tokenSealed;
  if (sample !== undefined) {
    try {
      keys.decrypt(sample);
    } catch {
      throw new ConfigError([`${source}: is not the key this DATA_DIR's store was sealed with. Restore the key it was sealed with; a different key leaves every stored token and secret unreadable.`]);
    }
  }
  if (!check) await meta.put('key-check', { sealed: keys.encrypt(KEY_CHECK) });
}

export function keysFrom(master: Buffer): Keys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  const encKey = derive('registrar/aes-256-gcm/v1');
  const macKey = derive('registrar/hmac-sha256/v1');
  const hash = (value: string) => createHmac('sha256', macKey).update(value, 'utf8').digest('hex');
  return {
    encrypt(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    decrypt(sealed) {
      const [version, payload] = sealed.split('.');
      if (version !== 'v1' || !payload) throw new AppError('DECRYPT_FAILED', 'unknown ciphertext format');
      const raw = Buffer.from(payload, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', encKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      try {
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new AppError('DECRYPT_FAILED', 'ciphertext does not match the key', { cause });
      }
    },
    hash,
    verifyHash(value, storedHash) {
      const a = Buffer.from(hash(value), 'hex');
      const b = Buffer.from(storedHash, 'hex');
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}
