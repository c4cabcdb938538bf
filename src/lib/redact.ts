/**
 * What the log must never show, and how it is hidden. Three nets, because each catches what the
 * others miss:
 * - keys that look secret (`accessToken`, `sharedSecret`, `authorization`, an OAuth `code`) have
 *   their whole value replaced, at any depth;
 * - values registered at run time (the bot's tokens, the app's secrets) are masked inside any string;
 * - the shapes secrets are made in (SECRET_PATTERNS) are masked inside any string, so a secret
 *   nobody registered (an app's new client secret, a JWT, a token in a URL) is hidden too.
 * Errors are reduced to name, message, code and cause: a stack or an SDK error's request and
 * response objects carry headers and bodies.
 */

export const REDACTED = '[redacted]';

/** Keys whose values are replaced whole. `code` alone: an OAuth authorization code (not `errorCode`). */
export const SECRET_KEY = /token|secret|password|authorization|signature|credential|cookie|^code$/i;

/** Base64 (standard or URL-safe) characters, for the RingCentral token shape below. */
const B64 = '[A-Za-z0-9+/_-]';

/**
 * Secret shapes masked wherever they appear in a string. Each has the `g` flag and is only used
 * through String.prototype.replace, which resets `lastIndex`, so sharing them is safe.
 */
export const SECRET_PATTERNS: readonly { name: string; pattern: RegExp; replace: string }[] = [
  // Registrar's own client and shared secrets (src/registry/credentials.ts): rgr_cs_ / rgr_ss_ + base62.
  { name: 'registrar secret', pattern: /\brgr_(?:cs|ss)_[0-9A-Za-z]{8,}/g, replace: REDACTED },
  // JWTs (our RFC 9068 access tokens, JWT credentials, RingCentral JWT assertions): a base64url JSON
  // header always starts `eyJ` ('{"'), then one to four more dot-separated parts (JWS 3, JWE 5).
  { name: 'JWT', pattern: /\beyJ[\w-]{8,}(?:\.[\w-]*){1,4}/g, replace: REDACTED },
  // An Authorization header's value written out: "Bearer <token>", "Basic <base64>".
  { name: 'bearer', pattern: /\b(Bearer|Basic)\s+[\w~+/.=-]{8,}/gi, replace: `$1 ${REDACTED}` },
  // RingCentral's opaque access tokens are base64 of "<pod, e.g. SJC11P01>PAS<nn>|...": four
  // characters of pod, two groups "M..Q" (digits then P), then "QVM" ("AS") and the rest.
  { name: 'RingCentral token', pattern: new RegExp(`\\b${B64}{4}M${B64}{2}QM${B64}{2}QQVM${B64}{20,}=*`, 'g'), replace: REDACTED },
  // Secret-looking parameters in URLs and form bodies: ?code=..., &access_token=..., client_secret=...
  {
    name: 'URL parameter',
    pattern: /(^|[?&#;\s])([\w.-]*?(?:token|secret|password|signature|credential|assertion|code)[\w.-]*=)[^&#\s"'<>]+/gi,
    replace: `$1$2${REDACTED}`,
  },
  // The same inside JSON text that ended up in a message (an error quoting a response body).
  {
    name: 'JSON field',
    pattern: /("[\w.-]*?(?:token|secret|password|signature|credential|assertion|authorization|cookie)[\w.-]*"\s*:\s*")[^"\\]*(?:\\.[^"\\]*)*"/gi,
    replace: `$1${REDACTED}"`,
  },
  // Sign-in links from chat (src/oauth/interactions.ts): .../interaction/<uid>/signin/<token>.
  { name: 'sign-in link', pattern: /(\/signin\/)[\w-]{8,}/g, replace: `$1${REDACTED}` },
  // A password in a connection URL: postgres://user:password@host.
  { name: 'URL password', pattern: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/@]+@/gi, replace: `$1${REDACTED}@` },
];

/** Objects nested deeper than this are not walked: they are replaced, never written unchecked. */
const MAX_DEPTH = 8;

export interface Redactor {
  /** A copy of `value` safe to write: see the module comment for what is hidden. */
  scrub(value: unknown): unknown;
  /** Masks registered values and secret shapes in one string. */
  scrubString(value: string): string;
  add(value: string | undefined): void;
  remove(value: string | undefined): void;
}

/**
 * @example
 *   const r = createRedactor();
 *   r.add(accessToken);
 *   r.scrub({ msg: `calling with ${accessToken}`, nested: { sharedSecret } }) // both [redacted]
 */
export function createRedactor(): Redactor {
  const secrets = new Set<string>();

  function scrubString(value: string): string {
    let out = value;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    for (const { pattern, replace } of SECRET_PATTERNS) out = out.replace(pattern, replace);
    return out;
  }

  function scrub(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
    if (typeof value === 'string') return scrubString(value);
    if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? String(value) : value;
    if (depth > MAX_DEPTH) return '[too deep]';
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    try {
      if (value instanceof Error) {
        const code = (value as { code?: unknown }).code;
        const cause = value.cause instanceof Error ? scrub(value.cause, depth + 1, seen) : undefined;
        return { name: value.name, message: scrubString(value.message), ...(code !== undefined ? { code: scrub(code, depth + 1, seen) } : {}), ...(cause ? { cause } : {}) };
      }
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
      // Bytes could hold anything, a key included: only their size is told.
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
      if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1, seen));
      const entries = value instanceof Map ? [...value.entries()].map(([k, v]) => [String(k), v] as const) : Object.entries(value);
      const out: Record<string, unknown> = {};
      // Names are scrubbed too: an object keyed by a token would otherwise print the token as a field name.
      for (const [k, v] of entries) out[scrubString(k)] = SECRET_KEY.test(k) ? REDACTED : scrub(v, depth + 1, seen);
      return out;
    } finally {
      seen.delete(value); // the same object twice side by side is not a cycle
    }
  }

  return {
    scrub: (value) => scrub(value),
    scrubString,
    add(value) {
      // Very short values would mask ordinary words; real secrets are long.
      if (value && value.length >= 8) secrets.add(value);
    },
    remove(value) {
      if (value) secrets.delete(value);
    },
  };
}
