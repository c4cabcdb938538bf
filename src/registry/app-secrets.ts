import { randomBytes } from 'node:crypto';

/**
 * An app's secrets over their life: issued, delivered, live, then ended by a rotation's grace, a
 * revocation, or at once. Pure functions over the stored lists, so the rules read (and are tested)
 * apart from the store and the chat:
 *
 * - A new secret is stored `issuing` first: it verifies nothing until its card reached the owner
 *   (the same all-or-nothing as a registration); an attempt a crash interrupted is dropped.
 * - When it goes live, the newest secret live before it keeps working for the grace period, and any
 *   older one ends at once: at most two are ever live.
 * - A revoked secret ends at once. Ended secrets are dropped from the record (the audit log keeps
 *   the story), so nothing ended can ever verify again.
 */
export interface SecretEntry {
  /** Public id, for the owner to name a secret ("revoke this one"); says nothing about the secret. */
  id: string;
  /** Its last four characters, shown to tell secrets apart. */
  last4: string;
  issuedAt: string;
  /** Stored, not delivered yet: verifies nothing. */
  issuing?: boolean;
  /** Stops verifying at this time (the grace after a rotation). */
  endsAt?: string;
}

/** A client secret: kept only as a keyed hash. */
export interface ClientSecretEntry extends SecretEntry {
  hash: string;
}

/** An interactive-messages shared secret: kept encrypted (the app's signatures are checked with it). */
export interface SharedSecretEntry extends SecretEntry {
  sealed: string;
}

export const newSecretId = (kind: 'cs' | 'ss') => `${kind}-${randomBytes(6).toString('base64url')}`;

/** Verifies now: delivered, and not past its end. */
export function isLive(entry: SecretEntry, now: number): boolean {
  return entry.issuing !== true && (entry.endsAt === undefined || Date.parse(entry.endsAt) > now);
}

/** The secrets that verify now, newest first. */
export function liveSecrets<T extends SecretEntry>(list: readonly T[], now: number): T[] {
  // Lists are kept in the order secrets were issued: the newest is the last.
  return list.filter((e) => isLive(e, now)).reverse();
}

/** Stores a new secret as `issuing`; an earlier attempt never delivered is dropped. */
export function beginIssue<T extends SecretEntry>(list: readonly T[], entry: T, now: number): T[] {
  return [...prune(list, now).filter((e) => e.issuing !== true), { ...entry, issuing: true }];
}

/**
 * The delivered secret goes live: the newest secret live before it keeps working for `graceMs`
 * (0 ends it at once), any older one ends now. Unknown `id` (an attempt already dropped): unchanged.
 */
export function completeIssue<T extends SecretEntry>(list: readonly T[], id: string, now: number, graceMs: number): T[] {
  const target = list.find((e) => e.id === id && e.issuing === true);
  if (!target) return [...list];
  const [newestBefore] = liveSecrets(list.filter((e) => e.id !== id), now);
  const endsAt = now + graceMs;
  const next = list.flatMap((e): T[] => {
    if (e.id === id) {
      const { issuing: _issuing, ...live } = e;
      return [live as T];
    }
    if (e.issuing === true || !isLive(e, now)) return [];
    if (e.id !== newestBefore?.id || graceMs <= 0) return []; // older than the newest: ends at once
    const current = e.endsAt === undefined ? endsAt : Math.min(Date.parse(e.endsAt), endsAt);
    return [{ ...e, endsAt: new Date(current).toISOString() }];
  });
  return next;
}

/** Drops an issuing attempt (its delivery failed, or a crash interrupted it). */
export function abandonIssue<T extends SecretEntry>(list: readonly T[], id: string): T[] {
  return list.filter((e) => !(e.id === id && e.issuing === true));
}

/** Ends one secret at once. */
export function revoke<T extends SecretEntry>(list: readonly T[], id: string): T[] {
  return list.filter((e) => e.id !== id);
}

/** Drops what ended (a grace that ran out). Issuing entries stay. */
export function prune<T extends SecretEntry>(list: readonly T[], now: number): T[] {
  return list.filter((e) => e.issuing === true || isLive(e, now));
}

/** What a rotation would do now: the secret that ends at once (two are live), else the one given grace. */
export function rotationEffect<T extends SecretEntry>(list: readonly T[], now: number): { endsAtOnce?: T; graced?: T } {
  const live = liveSecrets(list, now);
  if (live.length >= 2) return { endsAtOnce: live[live.length - 1]!, graced: live[0]! };
  return live[0] ? { graced: live[0] } : {};
}
