/**
 * Per-person limits on commands and clicks: at most `limit` actions in any `windowMs`. Past it the
 * person is told once to slow down and every action of theirs is ignored until a whole window has
 * passed without one being let through (RingCentral still gets its 200 at once: this runs after).
 * Each person has their own count, so one person's flood never slows anybody else; the bot's budget
 * with RingCentral (src/platform/) is what a flood would otherwise use up for everyone.
 *
 * Counts live in this process's memory (several instances each count what reaches them), bounded:
 * people idle for a window are forgotten as others arrive.
 *
 * @example
 *   const limiter = createPersonLimiter({ limit: 30, windowMs: 60_000, now: clock.now });
 *   const verdict = limiter.check(`${accountId}:${personId}`); // 'ok' | 'tell' | 'ignore'
 */
export type Verdict = 'ok' | 'tell' | 'ignore';

export interface PersonLimiterOptions {
  limit: number;
  windowMs: number;
  now: () => number;
  /** People tracked at most; the longest idle go first past it. */
  maxPeople?: number;
}

interface Tally {
  /** Times of the actions let through in the current window, oldest first. */
  times: number[];
  /** Set while the person is held back: until then, everything is ignored. */
  heldUntil: number;
  last: number;
}

export const SLOW_DOWN = 'You are going faster than I can keep up with, so I am ignoring your messages and clicks for a minute. Please wait a moment, then try again.';

export function createPersonLimiter({ limit, windowMs, now, maxPeople = 100_000 }: PersonLimiterOptions) {
  // A Map: person keys come from RingCentral's events, and `__proto__` is a key like any other.
  const tallies = new Map<string, Tally>();

  function forgetIdle(at: number) {
    for (const [key, t] of tallies) {
      if (tallies.size < maxPeople) return;
      if (at - t.last >= windowMs && t.heldUntil <= at) tallies.delete(key);
    }
    // Everyone is active: the oldest entry goes (Maps keep insertion order, refreshed on each action).
    if (tallies.size >= maxPeople) tallies.delete(tallies.keys().next().value!);
  }

  function check(person: string): Verdict {
    const at = now();
    let t = tallies.get(person);
    if (!t) {
      if (tallies.size >= maxPeople) forgetIdle(at);
      t = { times: [], heldUntil: 0, last: at };
    }
    // Re-insert so the Map's order is by last action.
    tallies.delete(person);
    tallies.set(person, t);
    t.last = at;
    if (t.heldUntil > at) return 'ignore';
    while (t.times.length > 0 && t.times[0]! <= at - windowMs) t.times.shift();
    if (t.times.length >= limit) {
      t.heldUntil = at + windowMs;
      t.times = [];
      return 'tell';
    }
    t.times.push(at);
    return 'ok';
  }

  return { check, get size() { return tallies.size; } };
}
export type PersonLimiter = ReturnType<typeof createPersonLimiter>;
