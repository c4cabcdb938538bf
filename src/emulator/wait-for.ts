/** Polling helper for tests: wait until a probe returns something truthy. */
import { EmulatorError } from './errors.js';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many ms (default 5000). */
  timeoutMs?: number;
  /** Message of the timeout error. */
  message?: string;
  /** Poll interval in ms (default 10). */
  intervalMs?: number;
}

/**
 * Resolves with the first truthy value `probe` returns, polling every ~10 ms; rejects with an
 * `EmulatorError` (code EMU_TIMEOUT) carrying `message` on timeout. A probe that throws rejects.
 */
export function waitFor<T>(
  probe: () => T | undefined | null | false,
  opts: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const intervalMs = opts.intervalMs ?? 10;
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      let value: T | undefined | null | false;
      try {
        value = probe();
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (value !== undefined && value !== null && value !== false) {
        resolve(value);
        return;
      }
      if (Date.now() >= deadline) {
        reject(new EmulatorError('EMU_TIMEOUT', opts.message ?? `waitFor timed out after ${timeoutMs} ms`));
        return;
      }
      setTimeout(check, intervalMs);
    };
    check();
  });
}
