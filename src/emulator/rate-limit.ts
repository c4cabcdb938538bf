/**
 * `X-Rate-Limit-*` headers (contract 7). The emulator counts requests per caller and group in
 * a 60 s sliding window to fill `X-Rate-Limit-Remaining` but never enforces the limit:
 * tests get 429s through fault injection instead.
 */
import type { NextFunction, Request, Response } from 'express';

/** Rate-limit groups (D `docs/basics/rate-limits.md`). */
export type RateGroup = 'Light' | 'Medium' | 'Heavy' | 'Auth';

/** Requests per window per group. */
export const RATE_LIMITS: Record<RateGroup, number> = { Light: 50, Medium: 40, Heavy: 10, Auth: 5 };
/** Window length in seconds. */
export const RATE_WINDOW_SEC = 60;

/** A chat's post list: `GET /team-messaging/v1/chats/{chatId}/posts` (and the legacy glip forms). */
const POST_LIST = /^\/(team-messaging\/v1\/chats|restapi\/v1\.0\/glip\/(chats|groups))\/[^/]+\/posts\/?$/;

/**
 * The group of an endpoint (contract 0): OAuth → Auth, reads and renew → Light, writes → Medium.
 * Listing a chat's posts is Medium (contract appendix "Rate limits"; EX Chats/Posts `list`), while
 * getting one post is Light (EX Chats/Posts `get`).
 */
export function rateGroupFor(method: string, path: string): RateGroup {
  if (path.startsWith('/restapi/oauth/')) return 'Auth';
  if (method === 'GET' && POST_LIST.test(path)) return 'Medium';
  if (method === 'GET') return 'Light';
  if (/^\/restapi\/v1\.0\/subscription\/[^/]+\/renew$/.test(path)) return 'Light';
  return 'Medium';
}

/** Sets the four headers; `remaining` is clamped at 0. Group values are lower-case as observed. */
export function setRateHeaders(res: Response, group: RateGroup, remaining: number): void {
  res.set({
    'X-Rate-Limit-Group': group.toLowerCase(),
    'X-Rate-Limit-Limit': String(RATE_LIMITS[group]),
    'X-Rate-Limit-Remaining': String(Math.max(0, remaining)),
    'X-Rate-Limit-Window': String(RATE_WINDOW_SEC),
  });
}

/** Counts requests per (caller, group) and sets the headers on every REST response. */
export class RateCounter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly now: () => number) {}

  /** Records one request; returns the remaining allowance. */
  hit(caller: string, group: RateGroup): number {
    const key = `${group}\u0000${caller}`;
    const since = this.now() - RATE_WINDOW_SEC * 1000;
    const times = (this.hits.get(key) ?? []).filter((t) => t > since);
    times.push(this.now());
    this.hits.set(key, times);
    return RATE_LIMITS[group] - times.length;
  }

  /** Express middleware. The caller key is the raw Authorization header (memory only, never logged). */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const group = rateGroupFor(req.method, req.path);
      setRateHeaders(res, group, this.hit(req.get('authorization') ?? req.ip ?? '', group));
      next();
    };
  }
}
