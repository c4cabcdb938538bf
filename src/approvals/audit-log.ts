import type { Clock } from '../lib/clock.js';
import type { Store } from '../store/store.js';

/**
 * The append-only audit log of approvals: every request, decision, refusal, reminder and expiry,
 * with who, when and what; also what happens to apps (lifecycle), public reviews, and who may
 * register (access requests, grants, refusals, quota refusals). Entries are only ever added (a key is claimed once and never
 * rewritten), so the history an admin reads is the history that happened.
 */
export type AuditEvent = ApprovalEvent | LifecycleEvent | PublicReviewEvent | AccessEvent;
/** A public app's review (src/approvals/): asked for, decided, expired. */
export type PublicReviewEvent = 'public-review-requested' | 'public-approved' | 'public-rejected' | 'public-review-expired';
/** Who may register (src/access/): a person asks, an admin grants or refuses; a quota refuses a registration. */
export type AccessEvent = 'access-requested' | 'access-granted' | 'access-refused' | 'quota-refused';
export type ApprovalEvent = 'requested' | 'approved' | 'partially-approved' | 'rejected' | 'refused' | 'reminded' | 'expired';
/** What happens to an app after registration (src/lifecycle/, and edits through src/registration/). */
export type LifecycleEvent =
  | 'registered'
  | 'secret-rotated'
  | 'secret-revoked'
  | 'shared-secret-rotated'
  | 'shared-secret-revoked'
  | 'edited'
  | 'transfer-offered'
  | 'transfer-accepted'
  | 'transfer-declined'
  | 'deleted'
  | 'suspended'
  | 'reinstated';

export const isLifecycleEvent = (e: AuditEvent): e is LifecycleEvent => !APPROVAL_EVENTS.has(e) && !OTHER_EVENTS.has(e);
const APPROVAL_EVENTS: ReadonlySet<AuditEvent> = new Set(['requested', 'approved', 'partially-approved', 'rejected', 'refused', 'reminded', 'expired']);
const OTHER_EVENTS: ReadonlySet<AuditEvent> = new Set([
  'public-review-requested',
  'public-approved',
  'public-rejected',
  'public-review-expired',
  'access-requested',
  'access-granted',
  'access-refused',
  'quota-refused',
]);

export interface AuditEntry {
  id: string;
  at: number;
  /** Order of writing (entries from before it was stored have it as their id). */
  seq?: number;
  event: AuditEvent;
  /** '' for entries about a person rather than an app (access, quotas). */
  clientId: string;
  appName: string;
  /** The approval request it belongs to; '' for lifecycle events. */
  requestId: string;
  /** For lifecycle events: what it concerned, as text ("secret …ab12", "to <person id>", "scopes added: SMS"). */
  detail?: string;
  /** Who did it (a person id), or null for the bot itself (reminders, expiry). */
  actorId: string | null;
  /** Whom it concerned, when not (only) the actor: the person granted access, the owner whose app went public. */
  subjectId?: string;
  /** The account, on entries about a person (`audit @person` answers within one account). */
  accountId?: string;
  /** The scopes the event is about: asked for, approved (for a decision), or refused a click on. */
  scopes: string[];
  /** For a decision: the scopes it rejected. */
  rejected?: string[];
  reason: string | null;
}

export interface AuditLog {
  /**
   * Adds an entry. With `key`, the entry is added at most once for that key (an effect finished
   * again after a crash does not write its history twice); the first entry's id is returned then.
   */
  append(entry: Omit<AuditEntry, 'id' | 'at'>, key?: string): Promise<AuditEntry | undefined>;
  forApp(clientId: string): Promise<AuditEntry[]>;
  /** Entries a person did or that concerned them, oldest first. */
  forPerson(personId: string): Promise<AuditEntry[]>;
}

const order = (e: AuditEntry) => e.seq ?? Number(e.id);

export function createAuditLog(store: Store, clock: Clock): AuditLog {
  const entries = store.collection<AuditEntry>('audit');
  const counters = store.collection<{ n: number }>('counters');
  return {
    async append(input, key) {
      const at = clock.now();
      // A stored sequence number orders entries even within one millisecond (and across restarts).
      const { after } = await counters.update('audit', (cur) => ({ n: (cur?.n ?? 0) + 1 }));
      const seq = after!.n;
      // A keyed entry's id is its key: claiming the id and writing the entry are one write, so an
      // effect finished again after a crash or a failed write finds its entry and adds none.
      const id = key === undefined ? String(seq).padStart(12, '0') : `key:${key}`;
      const entry: AuditEntry = { ...input, id, at, seq };
      const { before } = await entries.update(id, (cur) => (cur ? undefined : entry));
      if (before && key !== undefined) return undefined;
      if (before) throw new Error('audit entry id collision'); // never overwrite history
      return entry;
    },
    async forApp(clientId) {
      return (await entries.find('client', clientId)).sort((a, b) => order(a) - order(b));
    },
    async forPerson(personId) {
      const all = new Map<string, AuditEntry>();
      for (const e of [...(await entries.find('actor', personId)), ...(await entries.find('subject', personId))]) all.set(e.id, e);
      return [...all.values()].sort((a, b) => order(a) - order(b));
    },
  };
}
