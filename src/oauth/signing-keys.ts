import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Keys } from '../lib/crypto-keys.js';
import type { Store } from '../store/store.js';

/**
 * The authorization server's signing keys (an ES256 and an RS256 key per generation), made once
 * and kept encrypted in the store, so every instance sharing the store signs with the same keys
 * and a restart does not invalidate the tokens in flight.
 *
 * Rotation: when the newest generation is older than `rotateAfterDays`, a new one is made at
 * start-up; the one before stays published in the JWKS (tokens it signed verify until they
 * expire) and signs nothing; any older one is dropped. `rotateSigningKeys` forces one now.
 *
 * @example
 *   const { jwks } = await loadSigningKeys({ store, keys, now: Date.now(), rotateAfterDays: 90 });
 *   new Provider(issuer, { jwks: { keys: jwks } }); // private JWKs, current first
 */
interface Generation {
  id: string;
  createdAt: number;
  /** The private JWKs of this generation, as encrypted JSON. */
  sealed: string;
}

interface KeyRing {
  generations: Generation[];
}

const RING_ID = 'signing-keys';

async function newGeneration(keys: Keys, now: number): Promise<Generation> {
  const id = `${new Date(now).toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
  const jwks: JWK[] = [];
  for (const alg of ['ES256', 'RS256'] as const) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
    jwks.push({ ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `${alg.toLowerCase()}-${id}` });
  }
  return { id, createdAt: now, sealed: keys.encrypt(JSON.stringify(jwks)) };
}

/** Private JWKs, current generation first (oidc-provider signs with the first key of an algorithm). */
export interface SigningKeys {
  jwks: JWK[];
  /** The public halves, as published at the JWKS endpoint. */
  publicJwks: JWK[];
}

const publicOf = (jwk: JWK): JWK => {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return pub;
};

/**
 * The generations still needed: the newest (it signs), the one before it (tokens it signed are still
 * alive), and every older one retired less than `keepDays` ago (a JWT credential it signed may be
 * valid that long: JWT_CREDENTIAL_MAX_DAYS).
 */
function stillNeeded(generations: readonly Generation[], now: number, keepDays: number): Generation[] {
  return generations.filter((_g, i) => i < 2 || now - generations[i - 1]!.createdAt < keepDays * 86_400_000);
}

export async function loadSigningKeys(options: { store: Store; keys: Keys; now: number; rotateAfterDays: number; keepDays?: number; force?: boolean }): Promise<SigningKeys> {
  const { store, keys, now, rotateAfterDays, keepDays = 0, force = false } = options;
  const rings = store.collection<KeyRing>('meta');
  const due = (ring: KeyRing | undefined) => {
    const newest = ring?.generations[0];
    return force || !newest || now - newest.createdAt >= rotateAfterDays * 86_400_000;
  };
  let ring = await rings.get(RING_ID);
  if (due(ring)) {
    // Made outside update(): its callback must be pure and may run twice. Two instances starting
    // at once: the first to write wins, the other's generation is thrown away.
    const fresh = await newGeneration(keys, now);
    const seen = ring?.generations[0]?.id;
    const { after } = await rings.update(RING_ID, (cur) => (cur?.generations[0]?.id === seen ? { generations: stillNeeded([fresh, ...(cur?.generations ?? [])], now, keepDays) } : undefined));
    ring = after ?? (await rings.get(RING_ID));
  }
  const jwks = stillNeeded(ring?.generations ?? [], now, keepDays).flatMap((g) => JSON.parse(keys.decrypt(g.sealed)) as JWK[]);
  return { jwks, publicJwks: jwks.map(publicOf) };
}

/** Makes a new generation now (the previous stays published); takes effect at the next start. */
export const rotateSigningKeys = (options: { store: Store; keys: Keys; now: number; keepDays?: number }) => loadSigningKeys({ ...options, rotateAfterDays: 0, force: true });
