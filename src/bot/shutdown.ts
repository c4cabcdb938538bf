import type { Server } from 'node:http';
import type { Logger } from '../lib/logger.js';
import type { WorkTracker } from '../lib/work-tracker.js';
import type { Installations } from '../platform/installations.js';
import type { Store } from '../store/store.js';
import type { RevealHider } from './reveal-hider.js';

/**
 * Stops the bot without losing what it accepted:
 * 1. intake stops: timers are cleared and the server takes no new connections (idle keep-alive
 *    ones are closed; a request already on the wire still completes);
 * 2. work in flight (notifications, clicks, a sweep) finishes, bounded by `drainMs`;
 * 3. sockets close, remaining connections are dropped, and the store is flushed and released.
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
  await installations.close();
  server.closeAllConnections();
  await closed;
  await store.close();
}
