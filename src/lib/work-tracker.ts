/**
 * Counts work in flight (a notification being handled, a click, a sweep) so shutdown can wait for
 * it: intake stops first, then whatever was accepted finishes, bounded by a deadline.
 *
 * @example
 *   const work = createWorkTracker();
 *   app.post('/x', (req, res) => void work.track(handle(req)));
 *   await work.drain(10_000); // false if something was still running at the deadline
 */
export interface WorkTracker {
  track<T>(work: Promise<T>): Promise<T>;
  /** Resolves true once nothing is in flight, or false when `timeoutMs` passed first. */
  drain(timeoutMs: number): Promise<boolean>;
  readonly size: number;
}

export function createWorkTracker(): WorkTracker {
  const inFlight = new Set<Promise<unknown>>();
  return {
    track(work) {
      const settled = work.then(
        () => undefined,
        () => undefined,
      );
      inFlight.add(settled);
      void settled.then(() => inFlight.delete(settled));
      return work;
    },
    async drain(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      const all = (async () => {
        // Work may start more work while we wait (a click that files a request): wait until none is left.
        while (inFlight.size > 0) await Promise.all([...inFlight]);
        return true as const;
      })();
      try {
        return await Promise.race([all, deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    get size() {
      return inFlight.size;
    },
  };
}
