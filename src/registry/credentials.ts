import { randomBytes } from 'node:crypto';
import type { Keys } from '../lib/crypto-keys.js';
import { AppError } from '../lib/errors.js';
import { crc32 } from './crc32.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CHECKSUM_LENGTH = 6; // 62^6 > 2^32, so any CRC-32 fits
const CLIENT_SECRET_PREFIX = 'rgr_cs_';
const SHARED_SECRET_PREFIX = 'rgr_ss_';
const CLIENT_SECRET_BODY = 32;
const SHARED_SECRET_BODY = 40;

/** A whole client secret, anchored: prefix, 32 random base62 characters, 6-character checksum. */
export const CLIENT_SECRET_REGEX = /^rgr_cs_[0-9A-Za-z]{38}$/;
/** A whole interactive-messages shared secret, anchored: prefix, 40 random + 6 checksum characters. */
export const SHARED_SECRET_REGEX = /^rgr_ss_[0-9A-Za-z]{46}$/;
/**
 * For secret scanners: finds either kind of Registrar secret inside other text. Add the `g` flag
 * yourself (`new RegExp(SECRET_SCAN_REGEX.source, 'g')`) so no shared `lastIndex` leaks between calls.
 */
export const SECRET_SCAN_REGEX = /\brgr_(?:cs_[0-9A-Za-z]{38}|ss_[0-9A-Za-z]{46})\b/;

/** Random base62 text. Bytes of 248 and above are redrawn, so `byte % 62` favours no character. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= 248) continue;
      out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

function checksum(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function withChecksum(prefix: string, bodyLength: number): string {
  const body = randomBase62(bodyLength);
  return `${prefix}${body}${checksum(body)}`;
}

function hasValidChecksum(secret: string, prefix: string, bodyLength: number): boolean {
  const body = secret.slice(prefix.length, prefix.length + bodyLength);
  return secret.slice(prefix.length + bodyLength) === checksum(body);
}

/** A new client id: 22 random base62 characters (about 131 bits). */
export function newClientId(): string {
  return randomBase62(22);
}

/**
 * A new client secret, `rgr_cs_` + 32 random base62 characters + a base62 CRC-32 of them, in the
 * manner of GitHub's tokens: the prefix lets secret scanners find leaked ones, the checksum lets us
 * reject a mistyped secret without a database lookup.
 */
export function newClientSecret(): string {
  return withChecksum(CLIENT_SECRET_PREFIX, CLIENT_SECRET_BODY);
}

/** A new shared secret for interactive-message webhooks: `rgr_ss_` + 40 random + 6 checksum characters. */
export function newSharedSecret(): string {
  return withChecksum(SHARED_SECRET_PREFIX, SHARED_SECRET_BODY);
}

/** True when `value` has the client secret's prefix, length, alphabet and a matching checksum. */
export function isWellFormedClientSecret(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_SECRET_REGEX.test(value) && hasValidChecksum(value, CLIENT_SECRET_PREFIX, CLIENT_SECRET_BODY);
}

/** True when `value` has the shared secret's prefix, length, alphabet and a matching checksum. */
export function isWellFormedSharedSecret(value: unknown): value is string {
  return typeof value === 'string' && SHARED_SECRET_REGEX.test(value) && hasValidChecksum(value, SHARED_SECRET_PREFIX, SHARED_SECRET_BODY);
}

/** What is stored for an app: never the client secret itself, and the shared secret only encrypted. */
export interface SealedCredentials {
  clientSecretHash: string;
  /** Encrypted, because the app owner may ask to see the shared secret again; absent without one. */
  sharedSecretSealed?: string;
}

/**
 * Turns freshly issued secrets into what may be stored: a keyed hash of the client secret (it is
 * shown once and only ever verified) and the shared secret encrypted (it must be readable later).
 *
 * @example
 *   const clientSecret = newClientSecret();
 *   const sealed = sealCredentials(keys, { clientSecret, sharedSecret: newSharedSecret() });
 *   verifyClientSecret(keys, clientSecret, sealed.clientSecretHash) === true
 */
export function sealCredentials(keys: Keys, secrets: { clientSecret: string; sharedSecret?: string | undefined }): SealedCredentials {
  // A malformed secret here is a programming error; storing it would make it unverifiable forever.
  if (!isWellFormedClientSecret(secrets.clientSecret)) throw new AppError('CREDENTIAL_MALFORMED', 'client secret is not well formed');
  if (secrets.sharedSecret !== undefined && !isWellFormedSharedSecret(secrets.sharedSecret)) {
    throw new AppError('CREDENTIAL_MALFORMED', 'shared secret is not well formed');
  }
  const sealed: SealedCredentials = { clientSecretHash: keys.hash(secrets.clientSecret) };
  if (secrets.sharedSecret !== undefined) sealed.sharedSecretSealed = keys.encrypt(secrets.sharedSecret);
  return sealed;
}

/** Checks a presented client secret against its stored hash; malformed input is refused before hashing. */
export function verifyClientSecret(keys: Keys, secret: unknown, storedHash: string): boolean {
  if (!isWellFormedClientSecret(secret)) return false;
  return keys.verifyHash(secret, storedHash);
}

/** A client secret's keyed hash, as stored. */
export function hashClientSecret(keys: Keys, clientSecret: string): string {
  return sealCredentials(keys, { clientSecret }).clientSecretHash;
}

/** A shared secret encrypted, as stored. */
export function sealSharedSecret(keys: Keys, sharedSecret: string): string {
  if (!isWellFormedSharedSecret(sharedSecret)) throw new AppError('CREDENTIAL_MALFORMED', 'shared secret is not well formed');
  return keys.encrypt(sharedSecret);
}
