import type { ApprovalRequest } from '../approvals/approval-request.js';
import type { AuditEntry } from '../approvals/audit-log.js';
import type { Reveal } from '../registration/issue-app.js';
import type { Flow } from '../conversation/flow.js';
import type { Installation } from '../platform/installations.js';
import type { AppRecord } from '../registry/app-records.js';
import type { Rotation } from '../lifecycle/rotate-secret.js';
import type { Owed } from '../lifecycle/owed-effects.js';
import type { TransferOffer } from '../lifecycle/hand-over.js';
import { nameKey } from '../registry/name-key.js';
import type { OAuthDoc } from '../oauth/store-adapter.js';
import type { JwtCredential } from '../oauth/jwt-credential-store.js';
import type { SignInLink } from '../oauth/sign-in-links.js';
import type { JwtReveal } from '../oauth/jwt-credentials.js';
import type { OutboxEntry } from '../delivery/outbox.js';
import type { Handled } from '../delivery/inbox.js';
import type { AccessRequest } from '../access/access-request.js';
import type { ChatMembers } from '../access/chat-members.js';

/**
 * Every collection the bot keeps and the indexes its queries use: one place to see the data.
 * Every adapter maintains the indexes on each write, from these functions.
 *
 * - An equality index files a document under zero or more string keys (`find(index, key)`).
 * - An ordered index places a document at a number, or leaves it out with `undefined`
 *   (`due(index, upTo)` for scheduled work, `prune(index, upTo)` for retention).
 *
 * Adding an index to a collection that already holds documents is fine: adapters build indexes
 * from the documents when they open (PostgreSQL rebuilds a collection's index rows when its
 * definition's fingerprint changes).
 */
export interface CollectionSchema<T> {
  indexes?: Record<string, (value: T) => string | readonly string[] | undefined>;
  ordered?: Record<string, (value: T) => number | undefined>;
}

/** App names are found by their beginning (`audit expense`) through the first NAME_PREFIX_MAX characters of their name key. */
export const NAME_PREFIX_MIN = 2;
export const NAME_PREFIX_MAX = 16;
/** The keys an app name is filed under for prefix lookups: each beginning of its name key, from 2 to 16 characters. */
export function namePrefixes(appName: string): string[] {
  const chars = [...nameKey(appName)];
  const out: string[] = [];
  for (let n = NAME_PREFIX_MIN; n <= Math.min(NAME_PREFIX_MAX, chars.length); n++) out.push(chars.slice(0, n).join(''));
  return out;
}

const define = <T>(schema: CollectionSchema<T>) => schema as CollectionSchema<unknown>;

const closedAt = (f: Flow) => (f.status === 'submitted' || f.status === 'cancelled' || f.status === 'expired' ? f.updatedAt : undefined);
/** A form whose card must be drawn again: now when it lags its record, at redrawAt when one is asked for. */
const redrawAt = (f: Flow) => {
  const lagging = f.cardVersion !== undefined && f.cardVersion < f.version && f.status !== 'registering' && f.status !== 'submitted';
  if (lagging) return 0;
  return f.redrawAt ?? undefined;
};

export const SCHEMA: Record<string, CollectionSchema<unknown>> = {
  installations: define<Installation>({
    indexes: { botId: (i) => i.botId, subscriptionId: (i) => i.subscription?.id || undefined },
  }),
  apps: define<AppRecord>({
    indexes: {
      owner: (a) => `${a.accountId}:${a.ownerId}`,
      // Names are compared by what they look like (name-key.ts), per account.
      name: (a) => `${a.accountId}:${nameKey(a.appName)}`,
      namePrefix: (a) => namePrefixes(a.appName).map((p) => `${a.accountId}:${p}`),
    },
  }),
  flows: define<Flow>({
    indexes: {
      owner: (f) => `${f.accountId}:${f.ownerId}`,
      status: (f) => (f.status === 'registering' ? 'registering' : undefined),
    },
    ordered: {
      activeSince: (f) => (f.status === 'active' ? f.updatedAt : undefined),
      redraw: redrawAt,
      closedAt,
    },
  }),
  reveals: define<Reveal>({ ordered: { hideAt: (r) => (r.hidden ? undefined : r.hideAt) } }),
  approvals: define<ApprovalRequest>({
    indexes: {
      client: (r) => r.clientId,
      open: (r) => (r.status === 'open' ? r.accountId : undefined),
      // MAX_OPEN_REQUESTS counts these.
      openBy: (r) => (r.status === 'open' ? `${r.accountId}:${r.requesterId}` : undefined),
      owes: (r) => (r.effects?.length ? 'yes' : undefined),
    },
    ordered: {
      // Never posted (0) first, then by when it was last raised: reminders due.
      raise: (r) => (r.status === 'open' ? (r.cardId === null ? 0 : r.raisedAt) : undefined),
      openSince: (r) => (r.status === 'open' ? r.requestedAt : undefined),
      closedAt: (r) => (r.status === 'open' || r.effects?.length ? undefined : (r.decision?.at ?? r.requestedAt)),
    },
  }),
  // Entries about a person (access, quotas) have no app: filed under their actor and subject only.
  audit: define<AuditEntry>({ indexes: { client: (e) => e.clientId || undefined, actor: (e) => e.actorId ?? undefined, subject: (e) => e.subjectId || undefined } }),
  // Only rotations in progress are kept (src/lifecycle/rotate-secret.ts): start-up finishes or undoes them.
  rotations: define<Rotation>({ ordered: { startedAt: (r) => r.startedAt } }),
  // Only changes whose consequences are still owed (src/lifecycle/owed-effects.ts): start-up finishes them.
  'lifecycle-owed': define<Owed>({ ordered: { at: (o) => o.at } }),
  // Keyed by client ID: each app's latest hand-over offer. 'accepting' ones are finished at start-up.
  'transfer-offers': define<TransferOffer>({ ordered: { accepting: (o) => (o.status === 'accepting' ? o.at : undefined) } }),
  // The authorization server's state (src/oauth/store-adapter.ts): every key here is a keyed hash.
  oauth: define<OAuthDoc>({
    indexes: { uid: (d) => d.uidKey, userCode: (d) => d.userCodeKey, grant: (d) => d.grantKey },
    ordered: { expiresAt: (d) => d.expiresAt },
  }),
  'jwt-credentials': define<JwtCredential>({
    indexes: { owner: (c) => `${c.accountId}:${c.personId}`, client: (c) => c.clientId },
    ordered: { expiresAt: (c) => c.expiresAt ?? undefined },
  }),
  'sign-in-links': define<SignInLink>({ ordered: { expiresAt: (l) => l.expiresAt } }),
  'jwt-reveals': define<JwtReveal>({ ordered: { hideAt: (r) => r.hideAt } }),
  // Who may register (src/access/): each person's access requests, open, granted or refused.
  'access-requests': define<AccessRequest>({
    indexes: {
      person: (r) => `${r.accountId}:${r.personId}`,
      owes: (r) => (r.effects?.length ? 'yes' : undefined),
      // Open ones of an account: `pending` lists them with the approval requests.
      open: (r) => (r.status === 'open' ? r.accountId : undefined),
      // Open and not yet in the admins' channel: the sweep posts them.
      unposted: (r) => (r.status === 'open' && r.cardId === null ? r.accountId : undefined),
    },
  }),
  // Keyed by chat id: the members of each team the bot is in, as its latest chat event listed them (src/access/).
  'chat-members': define<ChatMembers>({}),
  // Handled event ids, and (while `open`) the inbox: a delivery stored before RingCentral got its 200.
  'seen-notifications': define<Handled>({ ordered: { at: (s) => s.at, leaseUntil: (s) => s.open?.leaseUntil } }),
  'seen-submits': define<Handled>({ ordered: { at: (s) => s.at, leaseUntil: (s) => s.open?.leaseUntil } }),
  outbox: define<OutboxEntry>({
    // Card changes not sent yet, by card: a newer change of the card takes their place.
    indexes: {
      unsentCardChange: (e) => (e.op === 'updateCard' && (e.state === 'pending' || e.state === 'parked') ? e.target : undefined),
      cardChange: (e) => (e.op === 'updateCard' ? e.target : undefined),
    },
    ordered: {
      dueAt: (e) => (e.state === 'pending' || e.state === 'parked' || e.state === 'sending' ? e.nextAt : undefined),
      finishedAt: (e) => (e.state === 'sent' || e.state === 'failed' || e.state === 'cancelled' ? (e.finishedAt ?? 0) : undefined),
    },
  }),
};

/** The schema of a collection; collections not listed (tests' own) have no indexes. */
export function schemaOf(name: string): CollectionSchema<unknown> {
  return Object.hasOwn(SCHEMA, name) ? SCHEMA[name]! : {};
}

/** The keys an equality index files `value` under (none for a deleted document). */
export function keysOf(fn: (value: unknown) => string | readonly string[] | undefined, value: unknown): string[] {
  if (value === undefined) return [];
  const keys = fn(value);
  if (keys === undefined) return [];
  return typeof keys === 'string' ? [keys] : [...new Set(keys)];
}
