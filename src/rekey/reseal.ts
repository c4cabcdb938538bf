import type { Keys } from '../lib/crypto-keys.js';

/** What a re-seal did: values moved to the new key, found already under it, or opened by neither key. */
export interface ResealTally {
  resealed: number;
  already: number;
  /** Text shaped like a sealed value that neither key opens: left as it is (a name someone typed, say). */
  unopened: number;
}

export const emptyTally = (): ResealTally => ({ resealed: 0, already: 0, unopened: 0 });

/** `keys.encrypt` output: `v1.` and base64url of a 12-byte nonce, a 16-byte tag and the ciphertext. */
const SEALED = /^v1\.[A-Za-z0-9_-]{38,}$/;

/**
 * `value` with every string sealed by `from` sealed again by `to`, at any depth of objects and
 * arrays. Which strings are sealed is decided by opening them: AES-GCM's tag makes a string that
 * `from` opens one it sealed, so nothing else is ever touched whatever it looks like, and a value
 * already under `to` (a re-key run again after a crash) is left as it is. Returns `value` itself
 * when nothing in it changed.
 *
 * @example
 *   const tally = emptyTally();
 *   const next = reseal({ tokenSealed: 'v1.…', accountId: '1' }, oldKeys, newKeys, tally);
 */
export function reseal<T>(value: T, from: Keys, to: Keys, tally: ResealTally): T {
  if (typeof value === 'string') return resealString(value, from, to, tally) as T;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item: unknown) => {
      const next = reseal(item, from, to, tally);
      changed ||= next !== item;
      return next;
    });
    return (changed ? out : value) as T;
  }
  if (typeof value === 'object' && value !== null) {
    let out: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const next = reseal(item, from, to, tally);
      if (next === item) continue;
      // Object.defineProperty keeps a key such as `__proto__` an own property, as JSON.parse made it.
      out ??= { ...(value as Record<string, unknown>) };
      Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true });
    }
    return (out ?? value) as T;
  }
  return value;
}

function resealString(text: string, from: Keys, to: Keys, tally: ResealTally): string {
  if (!SEALED.test(text)) return text;
  const plain = open(from, text);
  if (plain !== undefined) {
    tally.resealed++;
    return to.encrypt(plain);
  }
  if (open(to, text) !== undefined) tally.already++;
  else tally.unopened++;
  return text;
}

/** The plaintext, or undefined when `keys` did not seal it. */
export function open(keys: Keys, sealed: string): string | undefined {
  try {
    return keys.decrypt(sealed);
  } catch {
    return undefined;
  }
}
