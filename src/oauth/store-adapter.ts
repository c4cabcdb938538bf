import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Keys } from '../lib/crypto-keys.js';
import type { Store } from '../store/store.js';

/**
 * oidc-provider's storage seam over our Store (lowdb or PostgreSQL alike). Everything it keeps
 * (authorization codes, refresh tokens, grants, sessions, interactions, records of the JWT access
 * tokens) lands in the `oauth` collection. The id of an opaque token IS its value, so nothing is
 * stored under it in clear:
 *
 * - the document id is `keys.hash("<model>:<id>")`; the look-ups by uid, user code and grant id
 *   go through keyed hashes too (schema.ts indexes them);
 * - the payload is encrypted (`keys.encrypt`), so a copy of DATA_DIR or the database holds no
 *   token, code or session in a usable form.
 *
 * JWT access tokens are recorded under their `jti` (see create-provider.ts): oidc-provider does
 * not keep them, and introspection and revocation find them by it (oauth-routes.ts).
 *
 * `expiresAt` lets housekeeping prune what has expired (oidc-provider never asks twice for those).
 *
 * @example
 *   const Adapter = storeAdapter({ store, keys });
 *   new Provider(issuer, { adapter: Adapter });
 */
export interface OAuthDoc {
  /** Its own document id (a keyed hash, so the grant index can delete what it finds). */
  id: string;
  model: string;
  sealed: string;
  /** ms since the epoch; undefined: kept until destroyed. */
  expiresAt?: number;
  /** Keyed hashes, for the indexes. */
  uidKey?: string;
  userCodeKey?: string;
  grantKey?: string;
  /** When oidc-provider marked it used (seconds, as it counts). */
  consumed?: number;
}

export interface StoreAdapterOptions {
  store: Store;
  keys: Keys;
}

/** The models whose documents belong to a grant (oidc-provider revokes them by grant id). */
const GRANT_MODELS = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'];

export function storeAdapter({ store, keys }: StoreAdapterOptions): new (model: string) => Adapter {
  const docs = store.collection<OAuthDoc>('oauth');
  const key = (model: string, kind: string, value: string) => keys.hash(`oidc:${model}:${kind}:${value}`);

  const open = (doc: OAuthDoc | undefined): AdapterPayload | undefined => {
    if (!doc) return undefined;
    // Expired ones wait for housekeeping; oidc-provider checks `exp` too, this only saves it the work.
    if (doc.expiresAt !== undefined && doc.expiresAt <= Date.now()) return undefined;
    const payload = JSON.parse(keys.decrypt(doc.sealed)) as AdapterPayload;
    return doc.consumed !== undefined ? { ...payload, consumed: doc.consumed } : payload;
  };

  /** Everything issued under a grant, and the grant itself. */
  async function endGrant(grantId: string) {
    for (const model of GRANT_MODELS) {
      const found = await docs.find('grant', key(model, 'grant', grantId));
      await Promise.all(found.map((doc) => docs.delete(doc.id)));
    }
    await docs.delete(key('Grant', 'id', grantId));
  }

  return class StoreAdapter implements Adapter {
    constructor(private readonly model: string) {}

    private docId(id: string) {
      return key(this.model, 'id', id);
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      const doc: OAuthDoc = {
        id: this.docId(id),
        model: this.model,
        sealed: keys.encrypt(JSON.stringify(payload)),
        ...(expiresIn > 0 ? { expiresAt: Date.now() + expiresIn * 1000 } : {}),
        ...(payload.uid ? { uidKey: key(this.model, 'uid', payload.uid) } : {}),
        ...(payload.userCode ? { userCodeKey: key(this.model, 'userCode', payload.userCode) } : {}),
        ...(payload.grantId ? { grantKey: key(this.model, 'grant', payload.grantId) } : {}),
        ...(payload.consumed !== undefined ? { consumed: payload.consumed } : {}),
      };
      await docs.put(doc.id, doc);
    }

    async find(id: string) {
      if (typeof id !== 'string' || id.length === 0 || id.length > 4096) return undefined;
      return open(await docs.get(this.docId(id)));
    }

    async findByUid(uid: string) {
      const [doc] = await docs.find('uid', key(this.model, 'uid', uid));
      return open(doc);
    }

    async findByUserCode(userCode: string) {
      const [doc] = await docs.find('userCode', key(this.model, 'userCode', userCode));
      return open(doc);
    }

    async consume(id: string) {
      const at = Math.floor(Date.now() / 1000);
      let first = false;
      // Only the first use marks it. oidc-provider checks `consumed` before it calls this, but two
      // uses at the same moment can both pass that check: the one that loses here ends the family.
      const { before } = await docs.update(this.docId(id), (cur) => {
        first = cur !== undefined && cur.consumed === undefined;
        return first ? { ...cur!, consumed: at } : undefined;
      });
      if (before && !first) {
        const { grantId } = JSON.parse(keys.decrypt(before.sealed)) as AdapterPayload;
        if (grantId) await endGrant(grantId);
        throw new errors.InvalidGrant!('grant request is invalid');
      }
    }

    async destroy(id: string) {
      await docs.delete(this.docId(id));
    }

    async revokeByGrantId(grantId: string) {
      const found = await docs.find('grant', key(this.model, 'grant', grantId));
      await Promise.all(found.map((doc) => docs.delete(doc.id)));
    }
  };

}
