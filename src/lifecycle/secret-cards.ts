import { utc } from '../approvals/approval-request.js';
import { plainText } from '../cards/plain-text.js';
import { renderCard, type Card } from '../cards/render-card.js';
import { clientSecretsOf, sharedSecretsOf, type AppRecord, type SecretKind } from '../registry/app-records.js';
import { rotationEffect, type SecretEntry } from '../registry/app-secrets.js';

/**
 * What people read about secrets: their names ("…ab12"), what a rotation would end, and the card
 * that shows a rotated secret once and then hides it (the hider draws the hidden one).
 */

/** A secret by its last four characters; records from before rotation kept none. */
export const secretName = (entry: Pick<SecretEntry, 'last4'>) => (entry.last4 ? `…${entry.last4}` : 'the first secret');

export const KIND_LABEL: Record<SecretKind, 'client secret' | 'shared secret'> = { client: 'client secret', shared: 'shared secret' };

export const secretsOf = (app: AppRecord, kind: SecretKind): SecretEntry[] => (kind === 'client' ? clientSecretsOf(app) : sharedSecretsOf(app));

const hours = (n: number) => `${n} hour${n === 1 ? '' : 's'}`;

/** Said on the app card before the click: what rotating now would end, at once or after the grace period. */
export function rotationText(app: AppRecord, kind: SecretKind, now: number, graceHours: number): string {
  const label = KIND_LABEL[kind];
  const { endsAtOnce, graced } = rotationEffect(secretsOf(app, kind), now);
  const fresh = `Rotating gives you a new ${label}, shown once in a private card.`;
  if (!graced) return `${fresh} No ${label} works now, so nothing else changes.`;
  // A secret already in a grace keeps the earlier of its end and a new grace (completeIssue).
  const graceEnd = now + graceHours * 3_600_000;
  const alreadyEnds = graced.endsAt !== undefined && Date.parse(graced.endsAt) < graceEnd ? Date.parse(graced.endsAt) : undefined;
  const grace =
    graceHours <= 0
      ? `${secretName(graced)} stops at once (no grace period is set)`
      : alreadyEnds !== undefined
        ? `${secretName(graced)} keeps working until ${utc(alreadyEnds)} as before, then stops`
        : `${secretName(graced)} keeps working for ${hours(graceHours)}, then stops`;
  if (endsAtOnce) return `${fresh} Two are live now, so ${secretName(endsAtOnce)} stops at once; ${grace}.`;
  return `${fresh} ${grace.charAt(0).toUpperCase()}${grace.slice(1)}.`;
}

/** What the new secret's card says about the ones before it, once the rotation is done. */
export function afterRotationText(before: readonly SecretEntry[], after: readonly SecretEntry[], newId: string): string {
  const kept = after.filter((e) => e.id !== newId && e.endsAt);
  const ended = before.filter((e) => !e.issuing && !after.some((a) => a.id === e.id));
  const parts = [
    ...kept.map((e) => `${secretName(e)} keeps working until ${utc(Date.parse(e.endsAt!))}, then stops.`),
    ...ended.map((e) => `${secretName(e)} stopped working now.`),
  ];
  return parts.length ? `Put the new secret in place. ${parts.join(' ')}` : 'Put the new secret in place: it is the only one that works.';
}

export function rotatedSecretCard(app: AppRecord, kind: SecretKind, secret: string, previousText: string, hideAt: number, sentAt: number): Card {
  const minutes = Math.max(1, Math.round((hideAt - sentAt) / 60_000));
  return renderCard('secret-issued', {
    appName: plainText(app.appName),
    kindLabel: KIND_LABEL[kind],
    clientId: app.clientId,
    secretTitle: kind === 'client' ? 'Client secret' : 'Shared secret',
    secret,
    previousText,
    hideAtText: `Copy it now: it is shown once and hidden at ${new Date(hideAt).toISOString().slice(11, 16)} UTC, ${minutes} minute${minutes === 1 ? '' : 's'} after this card was sent.`,
  });
}

export function rotatedSecretHiddenCard(app: AppRecord, rotation: { kind: SecretKind; last4: string }): Card {
  return renderCard('secret-hidden', {
    appName: plainText(app.appName),
    kindLabel: KIND_LABEL[rotation.kind],
    clientId: app.clientId,
    hiddenText: `The new ${KIND_LABEL[rotation.kind]} ${secretName(rotation)} was shown once and is now hidden; nobody can show it again. Lost it? Say **app ${plainText(app.appName)}** and rotate again.`,
  });
}
