/**
 * RingCentral's user-level rate limits (contract 7; D `docs/basics/rate-limits.md`), enforced as
 * RingCentral applies them: per caller and group a sliding window with the documented budget;
 * past it 429 CMN-301 with `Retry-After` and a penalty, which every request made during it
 * restarts. Every REST answer carries the `X-Rate-Limit-*` headers.
 *
 * The groups and budgets come from src/platform/rate-groups.ts, the table the bot's gate reads.
 * Requests sent over the WebSocket gateway are not counted: nothing says RingCentral counts them
 * (UNCONFIRMED), and the bot sends only its subscription over the socket.
 */
import type { NextFunction, Request, Response } from 'express';
import { RATE_GROUPS, RATE_LIMITS, RATE_PENALTY_SEC, RATE_WINDOW_SEC, rateGroupFor, type RateGroup } from '../platform/rate-groups.js';
import { rcError } from './errors.js';

export { RATE_LIMITS, RATE_WINDOW_SEC, rateGroupFor, type RateGroup } from '../platform/rate-groups.js';

/** How the emulator applies rate limits ({@link EmulatorOptions.rateLimits}). */
export interface RateLimitOptions {
  /** Answer 429 past the budget; default true. False only counts and sets the headers. */
  enforce?: boolean;
  /** Budget per window and group; default RingCentral's documented plan (Light 50, Medium 40, Heavy 10, Auth 5). */
  limits?: Partial<Record<RateGroup, number>>;
  /** Window length in whole seconds; default 60. */
  windowSeconds?: number;
  /** Penalty length in whole seconds; default 60. */
  penaltySeconds?: number;
  /**
   * Real time in ms; default `Date.now`. Not the emulator's scenario clock: tests move that one by
   * hours, while a bot's rate gate waits in real time, as it must against RingCentral.
   */
  now?: () => number;
}

/** Sets the four headers; `remaining` is clamped at 0. Group values are lower-case as observed. */
export function setRateHeaders(res: Response, group: RateGroup, remaining: number, limit: number = RATE_LIMITS[group], windowSec: number = RATE_WINDOW_SEC): void {
  res.set({
    'X-Rate-Limit-Group': group.toLowerCase(),
    'X-Rate-Limit-Limit': String(limit),
    'X-Rate-Limit-Remaining': String(Math.max(0, remaining)),
    'X-Rate-Limit-Window': String(windowSec),
  });
}

/** The verdict on one request. */
export type RateVerdict = { allowed: true; remaining: number } | { allowed: false; retryAfterSec: number };

/** Past this many callers, idle ones are forgotten. */
const MAX_CALLERS = 10_000;

interface Caller {
  hits: number[];
  penaltyUntil: number;
}

function wholeSeconds(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number of seconds, at least 1`);
  return value;
}

/** Counts requests per (caller, group), and refuses them past the budget. */
export class RateLimiter {
  private readonly callers = new Map<string, Caller>();
  private readonly rejected = new Map<RateGroup, number>(RATE_GROUPS.map((g) => [g, 0]));
  readonly enforce: boolean;
  readonly windowSec: number;
  readonly penaltySec: number;
  private readonly limits: Record<RateGroup, number>;
  private readonly now: () => number;

  constructor(options: RateLimitOptions = {}) {
    this.enforce = options.enforce ?? true;
    this.windowSec = wholeSeconds('windowSeconds', options.windowSeconds ?? RATE_WINDOW_SEC);
    this.penaltySec = wholeSeconds('penaltySeconds', options.penaltySeconds ?? RATE_PENALTY_SEC);
    this.limits = { ...RATE_LIMITS, ...options.limits };
    for (const g of RATE_GROUPS) {
      if (!Number.isInteger(this.limits[g]) || this.limits[g] < 1) throw new RangeError(`the ${g} limit must be a whole number of at least 1`);
    }
    this.now = options.now ?? Date.now;
  }

  /** The budget of `group` per window. */
  limit(group: RateGroup): number {
    return this.limits[group];
  }

  /**
   * Judges one request. During a penalty it is refused and the penalty starts over from now (the
   * documented rule); past the budget it is refused and a penalty begins. Refused requests are
   * not counted in the window.
   */
  check(caller: string, group: RateGroup): RateVerdict {
    const key = `${group}\u0000${caller}`;
    const t = this.now();
    if (this.callers.size > MAX_CALLERS) this.forgetIdle(t);
    const state = this.callers.get(key) ?? { hits: [], penaltyUntil: 0 };
    this.callers.set(key, state);
    state.hits = state.hits.filter((h) => h > t - this.windowSec * 1000);
    if (this.enforce && (t < state.penaltyUntil || state.hits.length >= this.limits[group])) {
      state.penaltyUntil = t + this.penaltySec * 1000;
      this.rejected.set(group, (this.rejected.get(group) ?? 0) + 1);
      return { allowed: false, retryAfterSec: this.penaltySec };
    }
    state.hits.push(t);
    return { allowed: true, remaining: this.limits[group] - state.hits.length };
  }

  /** Drops callers with nothing in their window and no penalty (junk tokens must not pile up). */
  private forgetIdle(t: number): void {
    for (const [key, state] of this.callers) {
      if (state.penaltyUntil <= t && state.hits.every((h) => h <= t - this.windowSec * 1000)) this.callers.delete(key);
    }
  }

  /** 429s answered by enforcement per group since the start or the last reset (injected faults are not counted). */
  rejections(): Record<RateGroup, number> {
    return Object.fromEntries(RATE_GROUPS.map((g) => [g, this.rejected.get(g) ?? 0])) as Record<RateGroup, number>;
  }

  /** Forgets every window, penalty and count (a test starting afresh). */
  reset(): void {
    this.callers.clear();
    for (const g of RATE_GROUPS) this.rejected.set(g, 0);
  }

  /** Express middleware. The caller key is the raw Authorization header (memory only, never logged). */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const group = rateGroupFor(req.method, req.path);
      const verdict = this.check(req.get('authorization') ?? req.ip ?? '', group);
      if (verdict.allowed) {
        setRateHeaders(res, group, verdict.remaining, this.limits[group], this.windowSec);
        next();
        return;
      }
      setRateHeaders(res, group, 0, this.limits[group], this.windowSec);
      const error = rcError.rateExceeded();
      res.set('Retry-After', String(verdict.retryAfterSec)).status(error.status).json(error.toBody());
    };
  }
}
