import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { AppError } from './errors.js';
import { readOrCreateSecretFile } from './secret-file.js';

/**
 * Encryption and keyed hashing for secrets at rest.
 * One 32-byte master key (REGISTRAR_SECRET_KEY, or generated once into DATA_DIR/secret.key with
 * mode 0600) is split with HKDF into an AES-256-GCM key and an HMAC-SHA256 key, so neither use can
 * leak the other. After a re-key (src/rekey/), the HMAC keys of earlier master keys are kept as
 * verification-only keys: a client secret's hash cannot be made again without the secret, so hashes
 * made before stay as they are and `verifyHash` tries those keys too (src/lib/key-check.ts loads them).
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

const derive = (master: Buffer, info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));

/** The HMAC key a master key hashes with: what a re-key keeps (sealed) so older hashes still verify. */
export const hashKeyOf = (master: Buffer): Buffer => derive(master, 'registrar/hmac-sha256/v1');

const hmacHex = (key: Buffer, value: string) => createHmac('sha256', key).update(value, 'utf8').digest('hex');

/** Constant-time comparison of two hex digests; false for anything not of the same length. */
function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/**
 * `keys`, whose `verifyHash` also accepts hashes made with the `retired` HMAC keys (of master keys
 * replaced by a re-key). Encryption and new hashes use `keys` alone. Every key is tried, whichever
 * matches, so the time taken does not tell which one did.
 */
export function withRetiredHashKeys(keys: Keys, retired: readonly Buffer[]): Keys {
  if (retired.length === 0) return keys;
  return {
    ...keys,
    verifyHash(value, storedHash) {
      let ok = keys.verifyHash(value, storedHash);
      for (const key of retired) ok = sameHex(hmacHex(key, value), storedHash) || ok;
      return ok;
    },
  };
}

export function keysFrom(master: Buffer): Keys {
  const encKey = derive(master, 'registrar/aes-256-gcm/v1');
  const macKey = hashKeyOf(master);
  const hash = (value: string) => hmacHex(macKey, value);
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
      return sameHex(hash(value), storedHash);
    },
  };
}
