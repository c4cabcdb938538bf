/** Time as the app sees it. Tests inject a clock they can move; production uses the real one. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** A clock for tests: starts at `start` and only moves when told to. */
export function manualClock(start = Date.UTC(2026, 0, 1)): Clock & { advance(ms: number): void; set(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms), set: (ms) => void (t = ms) };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
