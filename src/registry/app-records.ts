import type { Keys } from '../lib/crypto-keys.js';
import { AppError } from '../lib/errors.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../lib/clock.js';
import { hashClientSecret, newClientSecret, newSharedSecret, sealCredentials, sealSharedSecret, verifyClientSecret } from './credentials.js';
import { abandonIssue, beginIssue, completeIssue, liveSecrets, newSecretId, prune, revoke, type ClientSecretEntry, type SecretEntry, type SharedSecretEntry } from './app-secrets.js';
import type { AppDraft } from './fields.js';
import { nameKey } from './name-key.js';
import type { ScopeCatalog } from './scope-catalog.js';

/**
 * The registry of apps: one record per client ID, with its owner, answers, scopes and credentials
 * (the client secret only as a keyed hash, the shared secret only encrypted).
 */
export interface AppRecord extends AppDraft {
  clientId: string;
  accountId: string;
  ownerId: string;
  /**
   * 'issuing' until the secret was shown to the requester: such a record authorises nothing and is
   * undone after a crash. 'suspended' (by an admin) and 'deleted' (by the owner) authorise nothing;
   * 'revoked' is the same as 'deleted', from records written before deletion existed.
   */
  status: 'issuing' | 'active' | 'suspended' | 'deleted' | 'revoked';
  grantedScopes: string[];
  /** Asked for, waiting for an admin's decision. */
  pendingScopes: string[];
  /** Client secrets, each only as a keyed hash; at most two live (see app-secrets.ts). */
  clientSecrets?: ClientSecretEntry[];
  /** Interactive-messages shared secrets, encrypted; at most two live. */
  sharedSecrets?: SharedSecretEntry[];
  /** Records written before rotation existed hold their one secret here (read through clientSecretsOf). */
  clientSecretHash?: string;
  sharedSecretSealed?: string | null;
  /** Why and by whom the app is suspended, while it is. */
  suspension?: { at: string; by: string; reason: string };
  deletedAt?: string;
  /**
   * An app registered (or edited) as public waits for an admin's review (src/approvals/) and works
   * privately, for its own account only, until it is approved. Absent: a private app, or a public
   * one from before reviews existed (public as it was registered).
   */
  publicReview?: PublicReview;
  /**
   * The last edit applied (src/registration/edit-app.ts), written in the same update as the changes:
   * an interrupted save finds its own id here and is finished forward, never applied twice.
   */
  lastEdit?: AppEdit;
  createdAt: string;
  updatedAt: string;
}

/** Where a public app's review stands: waiting, approved (public) or rejected (stays private). */
export interface PublicReview {
  status: 'pending' | 'approved' | 'rejected';
  /** When it was asked for, or decided. */
  at: string;
  /** The admin who decided. */
  by?: string;
  reason?: string | null;
}

/**
 * Who can use the app now: 'private' (its account only, as registered), 'held' (registered as
 * public, private until an admin approves it), 'refused' (an admin rejected going public: private)
 * or 'public'. Anything that lets other accounts in must ask this, never `access` alone.
 */
export type Distribution = 'private' | 'held' | 'refused' | 'public';

export function distributionOf(app: Pick<AppRecord, 'access' | 'publicReview'>): Distribution {
  if (app.access !== 'public') return 'private';
  if (app.publicReview?.status === 'pending') return 'held';
  if (app.publicReview?.status === 'rejected') return 'refused';
  return 'public';
}

/** The state as `my apps` and the app card say it. */
export const DISTRIBUTION_LABELS: Record<Distribution, string> = {
  private: 'Private',
  held: 'Private until review',
  refused: 'Private (going public was rejected)',
  public: 'Public',
};

/** What one edit changed: field names, and scopes granted at once, sent to the admins, and removed. */
export interface AppEdit {
  /** The form (flow) that made it. */
  id: string;
  at: string;
  fields: string[];
  granted: string[];
  pending: string[];
  removed: string[];
  /** Interactive messages were turned off: the shared secrets ended with the edit. */
  sharedSecretsEnded: boolean;
  /** The edit made the app public (or asked again after a rejection): it waits for an admin's review. */
  reviewAsked?: boolean;
}

/** An app's client secrets, records from before rotation included (their one secret, never rotated). */
export function clientSecretsOf(app: AppRecord): ClientSecretEntry[] {
  if (app.clientSecrets) return app.clientSecrets;
  return app.clientSecretHash ? [{ id: 'cs-first', hash: app.clientSecretHash, last4: '', issuedAt: app.createdAt }] : [];
}

/** An app's shared secrets, records from before rotation included. */
export function sharedSecretsOf(app: AppRecord): SharedSecretEntry[] {
  if (app.sharedSecrets) return app.sharedSecrets;
  return app.sharedSecretSealed ? [{ id: 'ss-first', sealed: app.sharedSecretSealed, last4: '', issuedAt: app.createdAt }] : [];
}

/** Whether the app receives card clicks, so has a shared secret to check RingCentral's signatures. */
export const hasSharedSecret = (app: AppRecord) => app.interactiveMessages === true;

/** A name is taken while its app lives (active, suspended, or still being issued); a deleted app frees it. */
export const holdsName = (app: AppRecord) => app.status !== 'deleted' && app.status !== 'revoked';

/** Secrets exist in plain text only in this value, on its way to the requester's private card. */
export interface IssuedApp {
  record: AppRecord;
  clientSecret: string;
  sharedSecret: string | null;
}

export type SecretKind = 'client' | 'shared';

/** A new secret on its way to the owner: stored 'issuing', live once `completeSecret` is called. */
export interface NewSecret {
  record: AppRecord;
  kind: SecretKind;
  entryId: string;
  secret: string;
}

export interface AppRegistry {
  /**
   * Stores a new app in status 'issuing' (it authorises nothing yet) and returns its secrets.
   * `clientId` is chosen by the caller beforehand, so an interrupted registration knows what to undo.
   */
  create(input: { draft: AppDraft; accountId: string; ownerId: string; now: number; clientId: string }): Promise<IssuedApp>;
  /** Makes an 'issuing' app active: its credentials reached the requester. Returns the record, or undefined if there is none. */
  activate(clientId: string, now: number): Promise<AppRecord | undefined>;
  get(clientId: string): Promise<AppRecord | undefined>;
  /** The owner's apps that hold their names: active and suspended ones. */
  listByOwner(accountId: string, ownerId: string): Promise<AppRecord[]>;
  /** The apps of an account matching a client ID or a (case-insensitive) name: names are unique per owner only. Deleted ones included. */
  findAll(query: string, accountId: string): Promise<AppRecord[]>;
  /**
   * The scopes a client ID holds now, after checking its secret against every live one (a rotation's
   * grace included); undefined when the credentials are not valid or the app is not active.
   */
  authorize(clientId: string, clientSecret: string): Promise<{ record: AppRecord; scopes: string[] } | undefined>;
  update(clientId: string, fn: (record: AppRecord) => AppRecord | undefined): Promise<AppRecord | undefined>;
  /** Removes a record still 'issuing' (its credentials never reached anyone); an active app is never discarded. */
  discard(clientId: string): Promise<void>;
  /** Issues a new secret of an active app, stored 'issuing' (it verifies nothing yet). */
  beginSecret(clientId: string, kind: SecretKind): Promise<NewSecret | undefined>;
  /** The new secret reached its owner: it goes live, the one before keeps `graceMs`, any older ends now. */
  completeSecret(clientId: string, kind: SecretKind, entryId: string, graceMs: number): Promise<AppRecord | undefined>;
  /** Drops a new secret that did not reach its owner. */
  abandonSecret(clientId: string, kind: SecretKind, entryId: string): Promise<void>;
  /** Ends one secret at once; undefined when the app or the secret is not there. */
  revokeSecret(clientId: string, kind: SecretKind, entryId: string): Promise<AppRecord | undefined>;
}

export { newClientId } from './credentials.js';

export function createAppRegistry({ store, keys, catalog, clock }: { store: Store; keys: Keys; catalog: ScopeCatalog; clock: Clock }): AppRegistry {
  const apps = store.collection<AppRecord>('apps');
  const iso = (ms: number) => new Date(ms).toISOString();

  /**
   * One change to an app's client or shared secrets, made only when `applies` holds for that list
   * (stamped `updatedAt` when `at` is given); the record after it, or undefined when nothing changed.
   */
  async function changeSecrets(clientId: string, kind: SecretKind, applies: (list: readonly SecretEntry[]) => boolean, change: <T extends SecretEntry>(list: T[]) => T[], at?: number) {
    let changed = false;
    const { after } = await apps.update(clientId, (cur) => {
      changed = false;
      if (!cur) return undefined;
      const list = kind === 'client' ? clientSecretsOf(cur) : sharedSecretsOf(cur);
      if (!applies(list)) return undefined;
      changed = true;
      const stamp = at === undefined ? {} : { updatedAt: iso(at) };
      return kind === 'client' ? { ...cur, clientSecrets: change(clientSecretsOf(cur)), ...stamp } : { ...cur, sharedSecrets: change(sharedSecretsOf(cur)), ...stamp };
    });
    return changed ? after : undefined;
  }
  const last4 = (secret: string) => secret.slice(-4);
  return {
    async create({ draft, accountId, ownerId, now, clientId }) {
      const name = nameKey(draft.appName);
      const taken = (await apps.find('name', `${accountId}:${name}`)).some((a) => a.ownerId === ownerId && holdsName(a));
      if (taken) throw new AppError('APP_NAME_TAKEN', 'the requester already has an app with this name', { status: 409 });
      const clientSecret = newClientSecret();
      // Only apps that receive card clicks need a shared secret to check RingCentral's signatures.
      const sharedSecret = draft.interactiveMessages ? newSharedSecret() : null;
      const sealed = sealCredentials(keys, { clientSecret, sharedSecret: sharedSecret ?? undefined });
      const { granted, needsApproval } = catalog.split(draft.scopes ?? []);
      const at = new Date(now).toISOString();
      const record: AppRecord = {
        ...draft,
        clientId,
        accountId,
        ownerId,
        status: 'issuing',
        grantedScopes: granted,
        pendingScopes: needsApproval,
        clientSecrets: [{ id: newSecretId('cs'), hash: sealed.clientSecretHash, last4: last4(clientSecret), issuedAt: at }],
        sharedSecrets: sharedSecret && sealed.sharedSecretSealed ? [{ id: newSecretId('ss'), sealed: sealed.sharedSecretSealed, last4: last4(sharedSecret), issuedAt: at }] : [],
        // Public apps face closer scrutiny: private until an admin approves them going public.
        ...(draft.access === 'public' ? { publicReview: { status: 'pending' as const, at } } : {}),
        createdAt: at,
        updatedAt: at,
      };
      const { before } = await apps.update(clientId, (cur) => (cur ? undefined : record));
      if (before) throw new AppError('CLIENT_ID_TAKEN', 'a client id was issued twice', { status: 409 });
      return { record, clientSecret, sharedSecret };
    },
    async activate(clientId, now) {
      const { after } = await apps.update(clientId, (cur) => (cur?.status === 'issuing' ? { ...cur, status: 'active', updatedAt: new Date(now).toISOString() } : undefined));
      return after;
    },
    get: (clientId) => apps.get(clientId),
    async listByOwner(accountId, ownerId) {
      return (await apps.find('owner', `${accountId}:${ownerId}`)).filter((a) => a.status === 'active' || a.status === 'suspended');
    },
    async findAll(query, accountId) {
      const q = query.trim();
      const byId = await apps.get(q);
      if (byId?.accountId === accountId) return [byId];
      // Names are found as they read (name-key.ts): a look-alike spelling finds the app too.
      return apps.find('name', `${accountId}:${nameKey(q)}`);
    },
    async authorize(clientId, clientSecret) {
      const record = await apps.get(clientId);
      // The same work whether or not the app exists or is active: the answer's time says nothing.
      const live = record?.status === 'active' ? liveSecrets(clientSecretsOf(record), clock.now()) : [];
      let ok = false;
      for (const entry of live.length ? live : [{ hash: DUMMY_HASH }]) ok = verifyClientSecret(keys, clientSecret, entry.hash) || ok;
      if (!ok || !record || live.length === 0) return undefined;
      return { record, scopes: [...record.grantedScopes] };
    },
    async update(clientId, fn) {
      const { after } = await apps.update(clientId, (cur) => (cur ? fn(cur) : undefined));
      return after;
    },
    async discard(clientId) {
      const current = await apps.get(clientId);
      if (current?.status === 'issuing') await apps.delete(clientId);
    },
    async beginSecret(clientId, kind) {
      const now = clock.now();
      const entryId = newSecretId(kind === 'client' ? 'cs' : 'ss');
      const secret = kind === 'client' ? newClientSecret() : newSharedSecret();
      const entry = { id: entryId, last4: last4(secret), issuedAt: iso(now) };
      const { after } = await apps.update(clientId, (cur) => {
        if (cur?.status !== 'active' || (kind === 'shared' && !hasSharedSecret(cur))) return undefined;
        return kind === 'client'
          ? { ...cur, clientSecrets: beginIssue(clientSecretsOf(cur), { ...entry, hash: hashClientSecret(keys, secret) }, now), updatedAt: iso(now) }
          : { ...cur, sharedSecrets: beginIssue(sharedSecretsOf(cur), { ...entry, sealed: sealSharedSecret(keys, secret) }, now), updatedAt: iso(now) };
      });
      return after ? { record: after, kind, entryId, secret } : undefined;
    },
    async completeSecret(clientId, kind, entryId, graceMs) {
      const now = clock.now();
      return changeSecrets(clientId, kind, (list) => list.some((e) => e.id === entryId && e.issuing), (list) => completeIssue(list, entryId, now, graceMs), now);
    },
    async abandonSecret(clientId, kind, entryId) {
      await changeSecrets(clientId, kind, (list) => list.some((e) => e.id === entryId), (list) => abandonIssue(list, entryId));
    },
    async revokeSecret(clientId, kind, entryId) {
      const now = clock.now();
      return changeSecrets(clientId, kind, (list) => list.some((e) => e.id === entryId && !e.issuing), (list) => prune(revoke(list, entryId), now), now);
    },
  };
}

/** Verified against when there is no live secret, so a refusal costs what a check does. */
const DUMMY_HASH = '0'.repeat(64);
