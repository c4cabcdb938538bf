/**
 * RingCentral's rate-limit groups and which endpoint falls in which (contract 0 and 7; D
 * `docs/basics/rate-limits.md`). The bot's gate (rate-gate.ts) and the emulator's enforcement
 * (src/emulator/rate-limit.ts) both read this one table, so the two cannot drift apart.
 */

/** Rate-limit groups (D `docs/basics/rate-limits.md`). */
export type RateGroup = 'Light' | 'Medium' | 'Heavy' | 'Auth';

/** Every group, in a fixed order (for tables and loops). */
export const RATE_GROUPS: readonly RateGroup[] = ['Light', 'Medium', 'Heavy', 'Auth'];

/** Default requests per window per (user, app, group): RingCentral's documented plan. */
export const RATE_LIMITS: Readonly<Record<RateGroup, number>> = { Light: 50, Medium: 40, Heavy: 10, Auth: 5 };

/** Window length in seconds. */
export const RATE_WINDOW_SEC = 60;

/** Penalty after the budget is exceeded, in seconds; every request made during it restarts it. */
export const RATE_PENALTY_SEC = 60;

/**
 * Reads that are Medium (contract appendix "Rate limits"; EX marks each endpoint's group): a
 * chat's post list, the chat list, the conversation list and an adaptive card, in the current and
 * the legacy glip forms.
 */
const MEDIUM_READS = [
  /^\/(team-messaging\/v1\/chats|restapi\/v1\.0\/glip\/(chats|groups))\/[^/]+\/posts\/?$/,
  /^\/(team-messaging\/v1|restapi\/v1\.0\/glip)\/(chats|conversations)\/?$/,
  /^\/(team-messaging\/v1|restapi\/v1\.0\/glip)\/adaptive-cards\/[^/]+\/?$/,
];
const RENEW = /^\/restapi\/v1\.0\/subscription\/[^/]+\/renew$/;

/**
 * The group of an endpoint (contract 0): OAuth → Auth, reads and renew → Light, writes → Medium,
 * except the reads in MEDIUM_READS: listing a chat's posts is Medium (EX Chats/Posts `list`) while
 * getting one post is Light (EX Chats/Posts `get`). `path` is the URL path without the query.
 *
 * @example
 * rateGroupFor('POST', '/team-messaging/v1/chats/42/posts'); // 'Medium'
 */
export function rateGroupFor(method: string, path: string): RateGroup {
  const verb = method.toUpperCase();
  if (path.startsWith('/restapi/oauth/')) return 'Auth';
  if (verb === 'GET' && MEDIUM_READS.some((re) => re.test(path))) return 'Medium';
  if (verb === 'GET') return 'Light';
  if (RENEW.test(path)) return 'Light';
  return 'Medium';
}

/** The group named by an `X-Rate-Limit-Group` header (sent lower-case, e.g. `light`), if it is one. */
export function parseRateGroup(value: string | null | undefined): RateGroup | undefined {
  const wanted = value?.trim().toLowerCase();
  return RATE_GROUPS.find((g) => g.toLowerCase() === wanted);
}
