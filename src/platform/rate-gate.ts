/**
 * A gate in front of RingCentral for one account (one bot token): per rate-limit group a sliding
 * window of the requests sent, a FIFO queue of those waiting for room, and a pause after a 429.
 *
 * RingCentral counts requests per (user, app, group) in a sliding window, answers 429 past the
 * budget, and restarts its penalty with every request made during it (contract 7). So concurrent
 * work must be held back before it reaches RingCentral, not retried after: a burst of retries
 * into a penalty only makes the penalty longer.
 */
import { AppError } from '../lib/errors.js';
import { parseRateGroup, RATE_GROUPS, RATE_LIMITS, RATE_WINDOW_SEC, type RateGroup } from './rate-groups.js';
import { retryAfterMs } from './retry.js';

/** Timers the gate waits with; tests inject their own next to `now`. */
export interface GateTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface RateGateOptions {
  /** Budget per group and window; RingCentral's documented plan by default (rate-groups.ts). */
  limits?: Partial<Record<RateGroup, number>>;
  /** Window length; default 60 s. */
  windowMs?: number;
  /** Pause after a 429 without Retry-After: 30 s, as RingCentral's rate-limit guide says (and withRetry does). */
  defaultRetryAfterMs?: number;
  /** Told of every 429 RingCentral answers, with the group it paused (metrics count them). */
  onRateLimited?: (group: RateGroup) => void;
  /** Real time in ms (never the app's scenario clock: RingCentral's windows run on real time). */
  now?: () => number;
  timers?: GateTimers;
}

/** What the gate knows of one group. */
export interface GroupState {
  /** Calls waiting for room. */
  queued: number;
  /** Requests counted in the current window, in flight included. */
  inWindow: number;
  limit: number;
  windowMs: number;
  /** Time left of a 429 pause; 0 when none. */
  pausedForMs: number;
}

export interface RateGate {
  /**
   * Sends once `group` has room and no 429 pause is running, in the order calls arrived; then
   * learns from the answer (a fetch Response, or an error carrying one as `response`): a 429
   * pauses the whole group for Retry-After, and `X-Rate-Limit-*` headers correct the count.
   * Rejects with AppError `RATE_GATE_CLOSED` once the gate is closed.
   */
  run<T>(group: RateGroup, send: () => Promise<T>): Promise<T>;
  state(group: RateGroup): GroupState;
  /** Stops the timers and rejects every waiting call; later calls are rejected at once. */
  close(): void;
}

interface Waiter {
  send: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

interface Group {
  name: RateGroup;
  limit: number;
  windowMs: number;
  /**
   * One entry per request counted: Infinity while in flight, then the time its answer came. The
   * answer's time, not the sending time: RingCentral counted the request somewhere between the
   * two, so the slot is given back no earlier than RingCentral gives it back.
   */
  sent: { at: number }[];
  queue: Waiter[];
  inFlight: number;
  pausedUntil: number;
  /** Until RingCentral has answered once, one request at a time: another instance (or the process before a restart) may have used the budget, and the first answer's headers say how much. */
  heard: boolean;
  timer: unknown;
}

const realTimers: GateTimers = {
  set(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref(); // a gate waiting for its window never keeps the process alive
    return t;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface Answer {
  status: number;
  headers: { get(name: string): string | null };
}

/** The fetch Response in a send's outcome: the value itself, or an error's `response`. */
function answerOf(outcome: unknown): Answer | undefined {
  const inner = typeof outcome === 'object' && outcome !== null && 'response' in outcome ? (outcome as { response?: unknown }).response : outcome;
  const candidate = inner as Partial<Answer> | undefined;
  if (typeof candidate?.status !== 'number' || typeof candidate.headers?.get !== 'function') return undefined;
  return candidate as Answer;
}

function positive(raw: string | null): number | undefined {
  const n = raw === null ? NaN : Number(raw);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * Creates a gate. One per account, shared by every client of that account (installations.ts).
 *
 * @example
 * const gate = createRateGate({ onRateLimited: (group) => metrics.count429(group) });
 * const response = await gate.run('Medium', () => platform.post(url, body));
 */
export function createRateGate(options: RateGateOptions = {}): RateGate {
  const now = options.now ?? Date.now;
  const timers = options.timers ?? realTimers;
  const defaultRetryAfterMs = options.defaultRetryAfterMs ?? 30_000;
  const windowMs = options.windowMs ?? RATE_WINDOW_SEC * 1000;
  if (!(windowMs > 0)) throw new RangeError('windowMs must be greater than 0');
  const groups = new Map<RateGroup, Group>();
  for (const name of RATE_GROUPS) {
    const limit = options.limits?.[name] ?? RATE_LIMITS[name];
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`the ${name} limit must be a whole number of at least 1`);
    groups.set(name, { name, limit, windowMs, sent: [], queue: [], inFlight: 0, pausedUntil: 0, heard: false, timer: undefined });
  }
  let closed = false;

  const groupOf = (name: RateGroup): Group => groups.get(name) as Group; // every RateGroup was created above

  function prune(g: Group, t: number) {
    g.sent = g.sent.filter((s) => s.at + g.windowMs > t);
  }

  function arm(g: Group, ms: number) {
    g.timer = timers.set(() => {
      g.timer = undefined;
      pump(g);
    }, Math.max(1, Math.ceil(ms)));
  }

  /** Sends what may go now, and sets one timer for when the next may; never spins. */
  function pump(g: Group) {
    if (g.timer !== undefined) {
      timers.clear(g.timer);
      g.timer = undefined;
    }
    while (!closed && g.queue.length > 0) {
      const t = now();
      if (t < g.pausedUntil) return arm(g, g.pausedUntil - t);
      if (!g.heard && g.inFlight > 0) return; // the answer pumps again
      prune(g, t);
      if (g.sent.length >= g.limit) {
        const answered = g.sent.filter((s) => s.at !== Infinity).map((s) => s.at);
        // All slots in flight: the first answer pumps again. Otherwise wait for the oldest to leave the window.
        if (answered.length > 0) arm(g, Math.min(...answered) + g.windowMs - t);
        return;
      }
      dispatch(g, g.queue.shift() as Waiter);
    }
  }

  function dispatch(g: Group, waiter: Waiter) {
    const slot = { at: Infinity };
    g.sent.push(slot);
    g.inFlight += 1;
    const settle = (outcome: unknown) => {
      slot.at = now();
      g.inFlight -= 1;
      g.heard = true;
      try {
        learn(g, outcome);
      } catch {
        // An answer we cannot read (or a throwing onRateLimited) teaches nothing; the call still settles.
      }
      pump(g);
    };
    // A send that throws before its promise exists counts as answered too.
    void (async () => waiter.send())().then(
      (value) => {
        settle(value);
        waiter.resolve(value);
      },
      (err: unknown) => {
        settle(err);
        waiter.reject(err);
      },
    );
  }

  /** Reads the answer: a 429 pauses the group; the headers correct limit, window and count. */
  function learn(called: Group, outcome: unknown) {
    const answer = answerOf(outcome);
    if (!answer) return;
    const g = groupOf(parseRateGroup(answer.headers.get('x-rate-limit-group')) ?? called.name);
    const t = now();
    const limit = positive(answer.headers.get('x-rate-limit-limit'));
    if (limit !== undefined && Number.isInteger(limit)) g.limit = limit;
    const window = positive(answer.headers.get('x-rate-limit-window'));
    if (window !== undefined) g.windowMs = window * 1000;
    if (answer.status === 429) {
      g.pausedUntil = Math.max(g.pausedUntil, t + (retryAfterMs(answer) ?? defaultRetryAfterMs));
      // Retry-After alone says when to go on (the answer's Remaining, 0, would hold the group a
      // window more); what is left after the pause, the first answer after it says.
      g.heard = false;
      options.onRateLimited?.(g.name);
      if (g !== called) pump(g);
      return;
    }
    const remainingRaw = answer.headers.get('x-rate-limit-remaining');
    const remaining = remainingRaw === null ? NaN : Number(remainingRaw);
    if (Number.isInteger(remaining) && remaining >= 0) {
      prune(g, t);
      // RingCentral counted more than we sent (another instance or app shares the budget): count
      // the difference as sent now, so it leaves the window no earlier than RingCentral's does.
      for (let missing = g.limit - remaining - g.sent.length; missing > 0; missing--) g.sent.push({ at: t });
    }
    if (g !== called) pump(g);
  }

  return {
    run<T>(group: RateGroup, send: () => Promise<T>): Promise<T> {
      if (closed) return Promise.reject(new AppError('RATE_GATE_CLOSED', 'the RingCentral rate gate is closed (shutting down)'));
      const g = groupOf(group);
      return new Promise<T>((resolve, reject) => {
        g.queue.push({ send, resolve: resolve as (value: unknown) => void, reject });
        pump(g);
      });
    },
    state(group) {
      const g = groupOf(group);
      const t = now();
      prune(g, t);
      return { queued: g.queue.length, inWindow: g.sent.length, limit: g.limit, windowMs: g.windowMs, pausedForMs: Math.max(0, g.pausedUntil - t) };
    },
    close() {
      closed = true;
      for (const g of groups.values()) {
        if (g.timer !== undefined) timers.clear(g.timer);
        g.timer = undefined;
        const waiting = g.queue.splice(0);
        for (const w of waiting) w.reject(new AppError('RATE_GATE_CLOSED', 'the RingCentral rate gate closed before this call could be sent'));
      }
    },
  };
}
