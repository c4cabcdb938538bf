import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/store.js';

/**
 * What the store forgets on a schedule, so it holds what is live rather than everything that ever
 * was: handled event ids after a day (redeliveries come within minutes), closed forms after a week
 * (their cards stay in chat; "resume" only needs open ones), decided or expired approval requests
 * after 90 days (their history stays in the audit log). Spent reveals are dropped as they are hidden.
 *
 * @example
 *   await pruneOld(store, clock.now(), log); // from the periodic sweep, on one instance at a time
 */
export const RETENTION = {
  eventIdsMs: 24 * 3600_000,
  closedFlowsMs: 7 * 86_400_000,
  decidedRequestsMs: 90 * 86_400_000,
  expiredCredentialsMs: 30 * 86_400_000,
} as const;

export async function pruneOld(store: Store, now: number, log: Logger): Promise<void> {
  const jobs: [string, string, number][] = [
    ['seen-notifications', 'at', RETENTION.eventIdsMs],
    ['seen-submits', 'at', RETENTION.eventIdsMs],
    ['flows', 'closedAt', RETENTION.closedFlowsMs],
    ['approvals', 'closedAt', RETENTION.decidedRequestsMs],
    // The authorization server's codes, tokens and sessions, and spent sign-in links, once expired.
    ['oauth', 'expiresAt', 0],
    ['sign-in-links', 'expiresAt', 0],
    // Expired JWT credentials are kept a while so `my jwts` can say they expired.
    ['jwt-credentials', 'expiresAt', RETENTION.expiredCredentialsMs],
  ];
  for (const [name, index, age] of jobs) {
    await store
      .collection(name)
      .prune(index, now - age)
      .catch((err: unknown) => log.error('pruning failed; will retry', { collection: name, err }));
  }
}
