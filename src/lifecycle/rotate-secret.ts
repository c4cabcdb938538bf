import { randomUUID } from 'node:crypto';
import type { Services, TurnContext } from '../bot/context.js';
import type { AuditLog } from '../approvals/audit-log.js';
import { revealKey, type Reveal } from '../registration/issue-app.js';
import type { AppRecord, AppRegistry, SecretKind } from '../registry/app-records.js';
import type { Collection } from '../store/store.js';
import { utc } from '../approvals/approval-request.js';
import { liveSecrets } from '../registry/app-secrets.js';
import { noticeCard } from './app-views.js';
import { afterRotationText, KIND_LABEL, rotatedSecretCard, secretName, secretsOf } from './secret-cards.js';

/**
 * A rotation in progress: kept from before anything is issued until the new secret is live, so a
 * crash at any point is finished or undone at start-up. Deleted once done.
 */
export interface Rotation {
  id: string;
  accountId: string;
  clientId: string;
  ownerId: string;
  kind: SecretKind;
  chatId: string;
  /** The card that shows the new secret; null until it is posted. */
  cardId: string | null;
  /** The new secret's entry; null until it is stored ('issuing': it verifies nothing). */
  entryId: string | null;
  hideAt: number;
  startedAt: number;
}

/** The rotation did not finish and was undone: the secrets are as they were. */
export class RotationUndone extends Error {
  readonly code = 'ROTATION_UNDONE';
  constructor(cause: unknown) {
    super('the rotation could not finish and was undone', { cause });
  }
}

export const UNDONE_TEXT = 'Nothing changed: your current secrets keep working, and the new one shown here (if any) was never valid. Please try again.';

/**
 * Rotating a secret as one all-or-nothing change across the store and RingCentral, as a
 * registration issues credentials:
 * 1. the rotation is recorded; a card is posted in the owner's direct chat ("issuing…") and its id kept;
 * 2. the new secret is stored 'issuing' (verifies nothing) and its reveal recorded;
 * 3. the card shows the secret;
 * 4. the secret goes live (completeSecret): the commit point; the one before keeps the grace period;
 * 5. the audit entry, then the record goes.
 * Before 4, a failure (or a crash, found at start-up) drops the new secret and overwrites the card.
 * The caller holds the app's lock, which recovery takes too.
 */
export function createRotator({ services, registry, reveals, audit }: { services: Services; registry: AppRegistry; reveals: Collection<Reveal>; audit: AuditLog }) {
  const { store, clock, config, checkpoint } = services;
  const rotations = store.collection<Rotation>('rotations');
  const graceMs = () => config.rotationGraceHours * 3600_000;

  async function rotate(ctx: TurnContext, app: AppRecord, kind: SecretKind, by: string): Promise<void> {
    const now = clock.now();
    const chatId = await ctx.client.openDirect(app.ownerId);
    const rotation: Rotation = { id: randomUUID(), accountId: app.accountId, clientId: app.clientId, ownerId: app.ownerId, kind, chatId, cardId: null, entryId: null, hideAt: now + config.secretRevealSeconds * 1000, startedAt: now };
    await rotations.put(rotation.id, rotation);
    checkpoint('rotate:begun');
    let current = rotation;
    let before = liveSecrets(secretsOf(app, kind), now);
    try {
      const { id: cardId } = await ctx.client.postCard(chatId, noticeCard(`New ${KIND_LABEL[kind]}: issuing…`, 'Your new secret appears here in a moment.'));
      // Known before it is stored: if storing it fails, the undo still finds the card to overwrite.
      current = { ...current, cardId };
      current = (await rotations.update(rotation.id, (cur) => cur && { ...cur, cardId })).after ?? current;
      const issued = await registry.beginSecret(app.clientId, kind);
      if (!issued) throw new Error('the app cannot take a new secret now');
      current = { ...current, entryId: issued.entryId };
      current = (await rotations.update(rotation.id, (cur) => cur && { ...cur, entryId: issued.entryId })).after ?? current;
      const last4 = issued.secret.slice(-4);
      await reveals.put(revealKey(cardId, app.clientId), { cardId, accountId: app.accountId, clientId: app.clientId, hideAt: rotation.hideAt, hidden: false, rotation: { kind, entryId: issued.entryId, last4 } });
      checkpoint('rotate:stored');
      // What the card says about the secrets before it is what completing will do (rotationEffect's rule).
      const preview = previewAfter(issued.record, kind, issued.entryId, now);
      await ctx.client.updateCard(cardId, rotatedSecretCard(issued.record, kind, issued.secret, afterRotationText(before, preview, issued.entryId), rotation.hideAt, now));
      checkpoint('rotate:shown');
      if (!(await registry.completeSecret(app.clientId, kind, issued.entryId, graceMs()))) throw new Error('the new secret could not go live');
    } catch (err) {
      ctx.log.error('rotating a secret failed; undoing it', { clientId: app.clientId, kind, err });
      await undo(ctx, current).catch((undoErr: unknown) => ctx.log.error('undoing a rotation failed; start-up or the sweep will', { clientId: app.clientId, err: undoErr }));
      throw new RotationUndone(err);
    }
    checkpoint('rotate:completed');
    await finish(current, by, before).catch((err: unknown) => ctx.log.error('finishing a rotation failed; the sweep will', { clientId: app.clientId, err }));
  }

  /** The list as completing the new secret will leave it (for the card, shown before the commit). */
  function previewAfter(app: AppRecord, kind: SecretKind, entryId: string, now: number) {
    const list = secretsOf(app, kind);
    const others = list.filter((e) => e.id !== entryId && !e.issuing && (!e.endsAt || Date.parse(e.endsAt) > now)).reverse();
    const grace = graceMs();
    const [newest] = others;
    return [
      ...(newest && grace > 0 ? [{ ...newest, endsAt: new Date(newest.endsAt ? Math.min(Date.parse(newest.endsAt), now + grace) : now + grace).toISOString() }] : []),
      { ...list.find((e) => e.id === entryId)!, issuing: false },
    ];
  }

  /** After the commit point: the history entry, then the record goes. Safe to run again. */
  async function finish(rotation: Rotation, by: string, before: readonly { id: string; last4: string; issuedAt: string; issuing?: boolean }[]) {
    const app = await registry.get(rotation.clientId);
    const entry = app && rotation.entryId ? secretsOf(app, rotation.kind).find((e) => e.id === rotation.entryId) : undefined;
    const ended = before.filter((e) => !e.issuing && app && !secretsOf(app, rotation.kind).some((x) => x.id === e.id));
    const graced = app ? secretsOf(app, rotation.kind).filter((e) => e.id !== rotation.entryId && e.endsAt) : [];
    const detail = [
      `new ${KIND_LABEL[rotation.kind]} ${entry ? secretName(entry) : ''}`.trim(),
      ...graced.map((e) => `${secretName(e)} keeps working until ${utc(Date.parse(e.endsAt!))}`),
      ...ended.map((e) => `${secretName(e)} ended at once`),
    ].join('; ');
    await audit.append(
      { event: rotation.kind === 'client' ? 'secret-rotated' : 'shared-secret-rotated', clientId: rotation.clientId, appName: app?.appName ?? '', requestId: '', actorId: by, scopes: [], reason: null, detail },
      `rotation:${rotation.id}`,
    );
    await rotations.delete(rotation.id);
  }

  /** Before the commit point: the reveal, then the new secret go, and the card says nothing changed. */
  async function undo(ctx: TurnContext, rotation: Rotation) {
    if (rotation.cardId) await reveals.delete(revealKey(rotation.cardId, rotation.clientId));
    const app = await registry.get(rotation.clientId);
    // Without a stored entry id (a crash right after issuing), any issuing secret of the kind is this one: the app's lock is held.
    const issuing = app ? secretsOf(app, rotation.kind).filter((e) => e.issuing && (rotation.entryId === null || e.id === rotation.entryId)) : [];
    for (const e of issuing) await registry.abandonSecret(rotation.clientId, rotation.kind, e.id);
    checkpoint('rotate:undone');
    const title = `The ${KIND_LABEL[rotation.kind]} was not rotated`;
    if (rotation.cardId) await ctx.client.updateCard(rotation.cardId, noticeCard(title, UNDONE_TEXT));
    // No card was kept (posting it failed, or a crash came first): told in words, at best (a click's dialog said so already).
    else await ctx.client.postText(rotation.chatId, `**${title}**. ${UNDONE_TEXT}`).catch(() => undefined);
    await rotations.delete(rotation.id);
  }

  /** A rotation found with nobody working on it (a crash): finished forward when its secret is live, else undone. */
  async function recover(ctx: TurnContext, rotation: Rotation): Promise<'finished' | 'undone'> {
    const app = await registry.get(rotation.clientId);
    const entry = app && rotation.entryId ? secretsOf(app, rotation.kind).find((e) => e.id === rotation.entryId) : undefined;
    if (entry && !entry.issuing) {
      await finish(rotation, rotation.ownerId, []);
      return 'finished';
    }
    await undo(ctx, rotation);
    return 'undone';
  }

  /** Rotations left in progress, oldest first. */
  const leftovers = () => rotations.due('startedAt', Number.MAX_SAFE_INTEGER);

  return { rotate, recover, leftovers };
}
