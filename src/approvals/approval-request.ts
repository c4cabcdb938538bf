/**
 * A request for an admin's approval, decided once: the first decision wins. Two kinds share the
 * machinery (cards, reminders, expiry, follow-ups, audit): scopes that need approval (one per
 * registration, edit or "ask again"), and a public app's review before it may go public.
 */
export interface ApprovalRequest {
  id: string;
  /** Absent on scope requests (and on every request from before public reviews existed). */
  kind?: 'scopes' | 'public';
  accountId: string;
  clientId: string;
  appName: string;
  appType: string;
  requesterId: string;
  scopes: string[];
  justification: string;
  /** 'withdrawn': closed undecided because the app was deleted (src/lifecycle/), or (a review) made private. */
  status: 'open' | 'decided' | 'expired' | 'withdrawn';
  /** Why a withdrawn request was closed; absent: the app was deleted. */
  withdrawnBecause?: 'deleted' | 'made-private';
  requestedAt: number;
  /** When the request was last posted to the admin chat (first time or as a reminder). */
  raisedAt: number;
  adminChatId: string | null;
  cardId: string | null;
  /**
   * The requester's credentials card (in their direct chat with the bot), drawn again when the
   * request is decided or expires so its "Awaiting approval" never goes stale. Absent on requests
   * filed before it was kept.
   */
  credentialsCardId?: string | null;
  /**
   * What this request's last change of state still owes (see follow-ups.ts): listed in the same
   * write as the change, crossed off as each is done. Absent or empty: nothing.
   */
  effects?: Effect[];
  decision: {
    by: string;
    at: number;
    approved: string[];
    rejected: string[];
    reason: string | null;
    /** A public review's verdict (scopes lists stay empty). */
    goesPublic?: boolean;
  } | null;
}

/** A public app's review rather than a scope request. */
export const isPublicReview = (r: Pick<ApprovalRequest, 'kind'>) => r.kind === 'public';

/** A consequence of a request's change of state: the app's scopes, the history, the admin card, the requester and their credentials card. */
export type Effect = 'app' | 'audit' | 'card' | 'requester' | 'credentials';

export type Outcome = 'approved' | 'partially-approved' | 'rejected';

export function outcomeOf(decision: NonNullable<ApprovalRequest['decision']>): Outcome {
  if (decision.goesPublic !== undefined) return decision.goesPublic ? 'approved' : 'rejected';
  if (decision.approved.length === 0) return 'rejected';
  return decision.rejected.length === 0 ? 'approved' : 'partially-approved';
}

export const OUTCOME_WORDS: Record<Outcome, string> = {
  approved: 'Approved',
  'partially-approved': 'Partly approved',
  rejected: 'Rejected',
};

/** "2026-11-28 10:05 UTC": admins in several time zones read the same thing. */
export function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
