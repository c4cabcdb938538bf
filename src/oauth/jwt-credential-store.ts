import { randomBytes } from 'node:crypto';
import { compactVerify, createLocalJWKSet, decodeJwt, importJWK, SignJWT } from 'jose';
import type { Clock } from '../lib/clock.js';
import type { Keys } from '../lib/crypto-keys.js';
import type { AuditEntry } from '../approvals/audit-log.js';
import type { Store } from '../store/store.js';
import type { SigningKeys } from './signing-keys.js';

/**
 * JWT credentials (the seed's "JWT flow"): a signed JWT issued to one person for one `jwt` app,
 * which the app exchanges (RFC 7523 jwt-bearer, with its own client credentials) for access tokens
 * acting as that person. Shown once; stored only as a keyed hash with what it is for (person, app,
 * expiry, revoked), so `my jwts` can list them and their owner can revoke each.
 *
 * @example
 *   const { credential, record } = await credentials.issue({ clientId, accountId, personId, days: 30 });
 *   await credentials.verify(credential, clientId); // the record while it is live, else undefined
 */
export interface JwtCredential {
  /** Public id, for listing and revoking (also the JWT's jti). */
  id: string;
  /** Keyed hash of the JWT itself. */
  hash: string;
  clientId: string;
  accountId: string;
  personId: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt?: number;
  /** Its last four characters, to tell credentials apart. */
  last4: string;
}

export function createJwtCredentials({ store, keys, signing, issuer, clock }: { store: Store; keys: Keys; signing: SigningKeys; issuer: string; clock: Clock }) {
  const records = store.collection<JwtCredential>('jwt-credentials');
  const audit = store.collection<AuditEntry>('audit');
  /** Suspending or deleting the app ends its credentials for good, even if it is reinstated later. */
  const endedByApp = async (c: JwtCredential) => (await audit.find('client', c.clientId)).some((e) => (e.event === 'suspended' || e.event === 'deleted') && e.at >= c.createdAt);
  const publicKeys = createLocalJWKSet({ keys: signing.publicJwks });
  const hashOf = (jwt: string) => keys.hash(`jwt-credential:${jwt}`);
  const live = (c: JwtCredential | undefined, now: number) => Boolean(c && c.revokedAt === undefined && (c.expiresAt === null || c.expiresAt > now));

  return {
    async issue(input: { clientId: string; accountId: string; personId: string; days: number | null }): Promise<{ credential: string; record: JwtCredential }> {
      const now = clock.now();
      const id = `jwt-${randomBytes(9).toString('base64url')}`;
      const es256 = signing.jwks.find((k) => k.alg === 'ES256');
      if (!es256) throw new Error('no ES256 signing key');
      const expiresAt = input.days === null ? null : now + input.days * 86_400_000;
      const jwt = new SignJWT({ client_id: input.clientId, account_id: input.accountId })
        .setProtectedHeader({ alg: 'ES256', kid: es256.kid!, typ: 'registrar-jwt-credential+jwt' })
        .setIssuer(issuer)
        .setSubject(input.personId)
        .setAudience(`${issuer}/token`)
        .setJti(id)
        .setIssuedAt(Math.floor(now / 1000));
      if (expiresAt !== null) jwt.setExpirationTime(Math.floor(expiresAt / 1000));
      const credential = await jwt.sign(await importJWK(es256, 'ES256'));
      const record: JwtCredential = { id, hash: hashOf(credential), clientId: input.clientId, accountId: input.accountId, personId: input.personId, createdAt: now, expiresAt, last4: credential.slice(-4) };
      await records.put(id, record);
      return { credential, record };
    },

    /** The credential's record if it is ours, for this app, not revoked and not expired. */
    async verify(credential: unknown, clientId: string): Promise<JwtCredential | undefined> {
      if (typeof credential !== 'string' || credential.length > 4096) return undefined;
      try {
        await compactVerify(credential, publicKeys);
        const { jti } = decodeJwt(credential);
        const record = typeof jti === 'string' ? await records.get(jti) : undefined;
        if (!record || !keys.verifyHash(`jwt-credential:${credential}`, record.hash)) return undefined;
        if (record.clientId !== clientId || !live(record, clock.now())) return undefined;
        if (await endedByApp(record)) {
          await records.update(record.id, (cur) => (cur && cur.revokedAt === undefined ? { ...cur, revokedAt: clock.now() } : undefined));
          return undefined;
        }
        return record;
      } catch {
        return undefined;
      }
    },

    /** A person's credentials, newest first. */
    async listFor(accountId: string, personId: string): Promise<JwtCredential[]> {
      return (await records.find('owner', `${accountId}:${personId}`)).sort((a, b) => b.createdAt - a.createdAt);
    },

    /** Ends one of the person's own credentials; undefined when there is no such live one. */
    async revoke(id: string, accountId: string, personId: string): Promise<JwtCredential | undefined> {
      const now = clock.now();
      let changed = false;
      const { after } = await records.update(id, (cur) => {
        changed = false;
        if (!cur || cur.accountId !== accountId || cur.personId !== personId || !live(cur, now)) return undefined;
        changed = true;
        return { ...cur, revokedAt: now };
      });
      return changed ? after : undefined;
    },

    /** Ends every credential of an app (deleted or suspended). */
    async revokeAllOf(clientId: string): Promise<number> {
      const now = clock.now();
      let n = 0;
      for (const c of await records.find('client', clientId)) {
        if (!live(c, now)) continue;
        await records.update(c.id, (cur) => (cur && cur.revokedAt === undefined ? { ...cur, revokedAt: now } : undefined));
        n++;
      }
      return n;
    },

    isLive: (c: JwtCredential) => live(c, clock.now()),
  };
}

export type JwtCredentials = ReturnType<typeof createJwtCredentials>;
