/** Random identifiers and secrets. */
import { randomBytes, randomUUID } from 'node:crypto';

/** A URL-safe random secret (tokens, client secrets, codes). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A random UUID (subscription and card ids, submit uuids). */
export function uuid(): string {
  return randomUUID();
}

/** A random decimal string like the notification uuids seen in captures (contract 3.2). */
export function numericUuid(): string {
  return randomBytes(8).readBigUInt64BE().toString().padStart(18, '1').slice(0, 18);
}

/** True for a non-empty string of digits (the platform's id format). */
export function isNumericId(id: string): boolean {
  return /^\d+$/.test(id);
}
