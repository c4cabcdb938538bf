import type { Server } from 'node:http';
import type { Logger } from '../lib/logger.js';
import type { WorkTracker } from '../lib/work-tracker.js';
import type { Installations } from '../platform/installations.js';
import type { Store } from '../store/store.js';
import type { RevealHider } from '../registration/reveal-hider.js';

/**
 * Stops the bot without losing what it accepted:
 * 1. intake stops: timers are cleared and the server takes no new connections (idle keep-alive
 *    ones are closed; a request already on the wire still completes);
 * 2. work in flight (notifications, clicks, a sweep) finishes, bounded by `drainMs`;
 * 3. sockets close (bounded too), remaining connections are dropped, and the store is released
 *    once the changes already under way are on disk.
 */
export async function shutdown(parts: {
  server: Server;
  work: WorkTracker;
  log: Logger;
  drainMs: number;
  stopTimers: () => void;
  hider: RevealHider;
  installations: Installations;
  store: Store;
}): Promise<void> {
  const { server, work, log, drainMs, hider, installations, store } = parts;
  parts.stopTimers();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await hider.stop();
  const drained = await work.drain(drainMs);
  if (!drained) log.warn('shutdown: work still running at the deadline', { inFlight: work.size });
  // Past the drain, nothing may hold shutdown up for long: a socket still connecting is let go.
  if (!(await withDeadline(installations.close(), 5000))) log.warn('shutdown: sockets still closing at the deadline');
  server.closeAllConnections();
  await closed;
  await store.close();
}

/** True when `work` settled within `ms`. */
async function withDeadline(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const, () => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
