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

/** A chat's post list: `GET /team-messaging/v1/chats/{chatId}/posts` (and the legacy glip forms). */
const POST_LIST = /^\/(team-messaging\/v1\/chats|restapi\/v1\.0\/glip\/(chats|groups))\/[^/]+\/posts\/?$/;
const RENEW = /^\/restapi\/v1\.0\/subscription\/[^/]+\/renew$/;

/**
 * The group of an endpoint (contract 0): OAuth → Auth, reads and renew → Light, writes → Medium.
 * Listing a chat's posts is Medium (contract appendix "Rate limits"; EX Chats/Posts `list`), while
 * getting one post is Light (EX Chats/Posts `get`). `path` is the URL path without the query.
 *
 * @example
 * rateGroupFor('POST', '/team-messaging/v1/chats/42/posts'); // 'Medium'
 */
export function rateGroupFor(method: string, path: string): RateGroup {
  const verb = method.toUpperCase();
  if (path.startsWith('/restapi/oauth/')) return 'Auth';
  if (verb === 'GET' && POST_LIST.test(path)) return 'Medium';
  if (verb === 'GET') return 'Light';
  if (RENEW.test(path)) return 'Light';
  return 'Medium';
}

/** The group named by an `X-Rate-Limit-Group` header (sent lower-case, e.g. `light`), if it is one. */
export function parseRateGroup(value: string | null | undefined): RateGroup | undefined {
  const wanted = value?.trim().toLowerCase();
  return RATE_GROUPS.find((g) => g.toLowerCase() === wanted);
}
