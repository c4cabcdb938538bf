import { sleep as realSleep } from '../lib/clock.js';
import { AppError } from '../lib/errors.js';

/**
 * Retries a RingCentral call the way the platform asks callers to:
 * - 429: wait for Retry-After (seconds; 30 s when absent, as RingCentral's rate-limit guide says), then retry;
 * - 5xx, timeouts and network errors: bounded exponential backoff;
 * - anything else: fail at once (a 4xx will not get better by asking again).
 */
export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest Retry-After we honour before giving up (a penalty longer than this fails the call). */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * False for a create: a request that got no answer (a timeout, a reset) may have been carried
   * out, so it is not sent again here; the outbox looks for the post before it tries again.
   */
  retryUnanswered?: boolean;
  onRetry?: (info: { attempt: number; status: number | undefined; waitMs: number }) => void;
}

export function statusOf(err: unknown): number | undefined {
  const response = (err as { response?: { status?: number } } | undefined)?.response;
  return typeof response?.status === 'number' ? response.status : undefined;
}

/** Retry-After of an answer in ms (seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(response: { headers?: { get(name: string): string | null } } | undefined): number | undefined {
  const raw = response?.headers?.get('retry-after');
  if (raw == null) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw); // Retry-After may also be an HTTP date
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { attempts = 5, baseDelayMs = 250, maxDelayMs = 4000, maxRetryAfterMs = 120_000, sleep = realSleep, retryUnanswered = true, onRetry } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      // Our own coded errors (a closed rate gate) are not transport failures: asking again cannot help.
      if (err instanceof AppError) throw err;
      const status = statusOf(err);
      let waitMs: number;
      if (status === 429) {
        waitMs = retryAfterMs((err as { response?: { headers?: { get(name: string): string | null } } }).response) ?? 30_000;
        if (waitMs > maxRetryAfterMs) throw err;
      } else if (status === undefined && !retryUnanswered) {
        throw err;
      } else if (status === undefined || status >= 500) {
        // A create that timed out may have happened: a retry can then make a duplicate post. That
        // is why secrets are never in a create (see registration.ts): a duplicate shows nothing.
        waitMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      } else {
        throw err;
      }
      if (attempt >= attempts) throw err;
      onRetry?.({ attempt, status, waitMs });
      await sleep(waitMs);
    }
  }
}
