import type { Keys } from '../lib/crypto-keys.js';
import { AppError } from '../lib/errors.js';
import type { Store } from '../store/store.js';
import { newClientSecret, newSharedSecret, sealCredentials, verifyClientSecret } from './credentials.js';
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
  /** 'issuing' until the secret was shown to the requester: such a record authorises nothing and is undone after a crash. */
  status: 'issuing' | 'active' | 'revoked';
  grantedScopes: string[];
  /** Asked for, waiting for an admin's decision. */
  pendingScopes: string[];
  clientSecretHash: string;
  sharedSecretSealed: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Secrets exist in plain text only in this value, on its way to the requester's private card. */
export interface IssuedApp {
  record: AppRecord;
  clientSecret: string;
  sharedSecret: string | null;
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
  listByOwner(accountId: string, ownerId: string): Promise<AppRecord[]>;
  /** The apps of an account matching a client ID or a (case-insensitive) name: names are unique per owner only. */
  findAll(query: string, accountId: string): Promise<AppRecord[]>;
  /** The scopes a client ID holds now, after checking its secret; undefined when the credentials are not valid. */
  authorize(clientId: string, clientSecret: string): Promise<{ record: AppRecord; scopes: string[] } | undefined>;
  update(clientId: string, fn: (record: AppRecord) => AppRecord | undefined): Promise<AppRecord | undefined>;
  /** Removes a record still 'issuing' (its credentials never reached anyone); an active app is never discarded. */
  discard(clientId: string): Promise<void>;
}

export { newClientId } from './credentials.js';

export function createAppRegistry({ store, keys, catalog }: { store: Store; keys: Keys; catalog: ScopeCatalog }): AppRegistry {
  const apps = store.collection<AppRecord>('apps');
  return {
    async create({ draft, accountId, ownerId, now, clientId }) {
      const name = nameKey(draft.appName);
      const taken = (await apps.find('name', `${accountId}:${name}`)).some((a) => a.ownerId === ownerId && a.status !== 'revoked');
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
        clientSecretHash: sealed.clientSecretHash,
        sharedSecretSealed: sealed.sharedSecretSealed ?? null,
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
      return (await apps.find('owner', `${accountId}:${ownerId}`)).filter((a) => a.status === 'active');
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
      if (!record || record.status !== 'active') return undefined;
      if (!verifyClientSecret(keys, clientSecret, record.clientSecretHash)) return undefined;
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
  };
}
