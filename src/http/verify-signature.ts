import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks RingCentral's X-Glip-Signature: lowercase hex HMAC-SHA1 of the raw request bytes, keyed by
 * the app's shared secret. The docs show a `sha1=` prefix while RingCentral's own handlers compare
 * the bare digest, so both forms are accepted. Anything that is not exactly 40 hex digits fails
 * before any comparison; the comparison itself is constant-time.
 *
 * @example
 *   verifyGlipSignature({ secret, rawBody: req.body, signature: req.get('x-glip-signature') })
 */
export function verifyGlipSignature({ secret, rawBody, signature }: { secret: string; rawBody: Buffer; signature: string | undefined }): boolean {
  if (!secret || typeof signature !== 'string') return false;
  const hex = signature.trim().replace(/^sha1=/i, '');
  if (!/^[0-9a-fA-F]{40}$/.test(hex)) return false;
  const expected = createHmac('sha1', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}

/** Constant-time string equality for tokens (Verification-Token). */
export function safeEqual(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  // Compare against itself when lengths differ so the timing does not depend on where they differ.
  return x.length === y.length ? timingSafeEqual(x, y) : (timingSafeEqual(y, y), false);
}
