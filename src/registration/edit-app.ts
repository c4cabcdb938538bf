import type { TurnContext } from '../bot/context.js';
import type { AuditLog } from '../approvals/audit-log.js';
import { plainText } from '../cards/plain-text.js';
import { renderCard, type Card } from '../cards/render-card.js';
import type { Flow } from '../conversation/flow.js';
import { fieldsFor } from '../conversation/transition.js';
import { fieldLabel, flowCard, type ViewContext } from '../conversation/views.js';
import { isLive } from '../registry/app-secrets.js';
import { sharedSecretsOf, type AppEdit, type AppRecord, type AppRegistry, type PublicReview } from '../registry/app-records.js';
import { FIELD_NAMES, type AppDraft, type FieldName } from '../registry/fields.js';
import type { ScopeCatalog } from '../registry/scope-catalog.js';
import type { Collection } from '../store/store.js';

/**
 * Changing an app after registration (`edit app`, or the app card's `edit-app` button): the
 * registration form reopens at its review on the app's current answers; saving applies the changes.
 *
 * Saving, each step safe to interrupt:
 * 1. (caller) the form is stored 'registering' (a second click finds it closed);
 * 2. the changes are applied in one update of the app record, which also records the edit
 *    (`AppRecord.lastEdit`, keyed by the form's id): the commit point, never applied twice;
 * 3. scopes added that need approval are filed with the admins (idempotent), the 'edited' audit
 *    entry is written (keyed), the form's card becomes the summary and the form is closed.
 * Before 2, a failure (or a crash, found at start-up) puts the form back at the review: nothing
 * changed. After 2, start-up and the sweep finish 3. No secret is shown: the client ID and the
 * client secret never change; turning interactive messages off ends the shared secrets with the
 * edit, and turning them on leaves the shared secret to `rotate-shared-secret` on the app card.
 *
 * @example
 *   const editor = createEditor({ flows, registry, catalog, audit, now, viewCtx, requestScopes, checkpoint });
 *   const flow = editFlowDraft(app); // the draft the form starts from
 *   await editor.save(ctx, savingFlow, draft); // 'saved' | 'undone' | 'refused'
 */
export interface EditorOptions {
  flows: Collection<Flow>;
  registry: AppRegistry;
  catalog: ScopeCatalog;
  audit: AuditLog;
  now: () => number;
  viewCtx: (botId: string) => ViewContext;
  /** Files the scopes with the admins (approvals.requestScopes); idempotent. */
  requestScopes: (ctx: TurnContext, app: AppRecord, scopes: string[], justification: string) => Promise<void>;
  /** Files the app's review for going public, or closes one it no longer needs (approvals.reviewPublic); idempotent. */
  reviewPublic?: (ctx: TurnContext, app: AppRecord) => Promise<void>;
  checkpoint: (name: string) => void;
}

export const EDIT_UNDONE_NOTICE = 'Saving your changes did not finish, so nothing was changed. Please save again.';

/** An app's current answers as a form draft: its fields, and its scopes granted or awaiting an admin. */
export function draftOf(app: AppRecord): Partial<AppDraft> {
  const keep = fieldsFor(app.appType);
  const draft: Record<string, unknown> = {};
  for (const field of FIELD_NAMES) if (keep.has(field) && app[field] !== undefined && app[field] !== null) draft[field] = app[field];
  // A rejected scope is neither granted nor pending: the app does not hold it, so the form does not show it.
  if (keep.has('scopes')) draft.scopes = [...new Set([...app.grantedScopes, ...app.pendingScopes])];
  return draft as Partial<AppDraft>;
}

/** Who may change this app now, or why not: checked against the stored app at every click. */
export function editRefusal(app: AppRecord | undefined, accountId: string, personId: string): string | undefined {
  if (!app || app.accountId !== accountId || app.status === 'issuing') return 'This app no longer exists, so nothing was changed.';
  if (app.ownerId !== personId) return "Only the app's owner can change it.";
  if (app.status === 'deleted' || app.status === 'revoked') return 'This app was deleted, so it cannot be changed.';
  return undefined;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The app with the edit applied, and what changed (pure: the store update runs it). */
export function applyEdit(app: AppRecord, draft: AppDraft, catalog: ScopeCatalog, id: string, now: number): AppRecord {
  const held = new Set([...app.grantedScopes, ...app.pendingScopes]);
  const wanted = draft.scopes ?? [];
  const added = wanted.filter((s) => !held.has(s));
  const removed = [...held].filter((s) => !wanted.includes(s));
  const { granted, needsApproval } = catalog.split(added);
  const fields = FIELD_NAMES.filter((f) => f !== 'appType' && f !== 'scopes' && !same(app[f], draft[f]));
  const turnedOff = app.interactiveMessages === true && draft.interactiveMessages !== true;
  const at = new Date(now).toISOString();
  // Going public (or asking again after a rejection) waits for an admin, as at registration; an
  // app made private needs no review; an approved public app stays approved.
  const reviewAsked = draft.access === 'public' && (app.access !== 'public' || app.publicReview?.status === 'rejected');
  const publicReview: PublicReview | undefined = draft.access !== 'public' ? undefined : reviewAsked ? { status: 'pending', at } : app.publicReview;
  const edit: AppEdit = { id, at, fields, granted, pending: needsApproval, removed, sharedSecretsEnded: turnedOff && sharedSecretsOf(app).length > 0, ...(reviewAsked ? { reviewAsked } : {}) };
  // Answers that no longer apply (redirect URIs after a switch to JWT, say) go with the old answers.
  const kept = Object.fromEntries(Object.entries(app).filter(([key]) => !(FIELD_NAMES as readonly string[]).includes(key) && key !== 'publicReview')) as Omit<AppRecord, FieldName>;
  return {
    ...kept,
    ...(publicReview ? { publicReview } : {}),
    ...draft,
    appType: app.appType, // never changes
    grantedScopes: [...app.grantedScopes.filter((s) => !removed.includes(s)), ...granted],
    pendingScopes: [...app.pendingScopes.filter((s) => !removed.includes(s)), ...needsApproval],
    // Without interactive messages there are no card clicks to sign: the shared secrets end now.
    ...(turnedOff ? { sharedSecrets: [], sharedSecretSealed: null } : {}),
    lastEdit: edit,
    updatedAt: at,
  };
}

/** Whether an edit changed anything at all. */
const changedAnything = (e: AppEdit) => e.fields.length + e.granted.length + e.pending.length + e.removed.length > 0 || e.reviewAsked === true;

/** The edit in one line, for the audit log. */
export function editDetail(e: AppEdit): string {
  const parts = [
    e.fields.length ? `changed ${e.fields.map((f) => fieldLabel(f as FieldName)).join(', ')}` : '',
    e.granted.length ? `scopes added: ${e.granted.join(', ')}` : '',
    e.pending.length ? `scopes sent to the admins: ${e.pending.join(', ')}` : '',
    e.removed.length ? `scopes removed: ${e.removed.join(', ')}` : '',
    e.sharedSecretsEnded ? 'shared secrets ended' : '',
    e.reviewAsked ? 'going public sent to the admins' : '',
  ];
  return parts.filter(Boolean).join('; ');
}

/** Interactive messages are on but no shared secret is live or on its way. */
const lacksSharedSecret = (app: AppRecord, now: number) => app.interactiveMessages === true && !sharedSecretsOf(app).some((e) => isLive(e, now));

/** The card the form becomes once saved: what changed, and nothing secret. */
export function savedCard(app: AppRecord, e: AppEdit, now: number): Card {
  const name = plainText(app.appName);
  const list = (items: string[]) => plainText(items.join(', '));
  const facts = [
    ...(e.fields.length ? [{ title: 'Changed', value: list(e.fields.map((f) => fieldLabel(f as FieldName))) }] : []),
    ...(e.granted.length ? [{ title: 'Scopes granted at once', value: list(e.granted) }] : []),
    ...(e.pending.length ? [{ title: 'Awaiting an admin', value: list(e.pending) }] : []),
    ...(e.removed.length ? [{ title: 'Scopes removed', value: list(e.removed) }] : []),
    ...(e.sharedSecretsEnded ? [{ title: 'Shared secret', value: 'Ended: interactive messages are off' }] : []),
    ...(e.reviewAsked ? [{ title: 'Access', value: 'Private until review' }] : []),
  ];
  const lines = [
    changedAnything(e) ? `Your client ID and ${e.sharedSecretsEnded ? 'client secret' : 'secrets'} are unchanged.` : 'You saved without changing anything, so the app is as it was.',
    e.pending.length ? `The admins have the request for ${list(e.pending)}; I will tell you when they decide.` : '',
    e.reviewAsked ? 'Public apps are reviewed by an admin of this account first: until they approve, the app works privately, for this account only. I will tell you when they decide.' : '',
    app.status === 'suspended' ? 'The app is still suspended: its secrets stay unusable until an admin reinstates it.' : '',
    lacksSharedSecret(app, now) ? `Interactive messages are on, but the app has no shared secret yet: type **app ${name}** and choose **Rotate shared secret** to get one.` : '',
  ];
  return renderCard('flow-closed', {
    title: changedAnything(e) ? `Changes saved to ${name}` : `No changes to ${name}`,
    message: lines.filter(Boolean).join('\n\n'),
    tone: changedAnything(e) ? 'good' : 'default',
    facts,
  });
}

export function createEditor({ flows, registry, catalog, audit, now, viewCtx, requestScopes, reviewPublic = async () => {}, checkpoint }: EditorOptions) {
  /** Saves a form stored 'registering'. 'undone': nothing changed, the form is back at its review. */
  async function save(ctx: TurnContext, flow: Flow, draft: AppDraft): Promise<'saved' | 'undone' | 'refused'> {
    const { clientId } = flow.editing!;
    // Stays set when there is no record to update at all.
    let refusal = editRefusal(undefined, flow.accountId, flow.ownerId);
    try {
      await registry.update(clientId, (cur) => {
        refusal = undefined;
        if (cur.lastEdit?.id === flow.id) return undefined; // applied already
        refusal = editRefusal(cur, flow.accountId, flow.ownerId);
        return refusal ? undefined : applyEdit(cur, draft, catalog, flow.id, now());
      });
    } catch (err) {
      ctx.log.error('saving an edit failed; nothing was changed', { flowId: flow.id, clientId, err });
      await undo(ctx, flow).catch((undoErr: unknown) => ctx.log.error('putting an edit back failed; start-up or the sweep will', { flowId: flow.id, err: undoErr }));
      return 'undone';
    }
    if (refusal) {
      await close(ctx, flow, refusal);
      return 'refused';
    }
    checkpoint('edit:applied');
    ctx.log.info('app edited', { flowId: flow.id, clientId });
    // Applied: whatever fails from here is finished by the sweep, never reported as a failure.
    await finish(ctx, flow).catch((err: unknown) => ctx.log.error('finishing an edit failed; the sweep will', { flowId: flow.id, clientId, err }));
    return 'saved';
  }

  /** After the commit point: the admins' request, the history, the summary, the form closed. Safe to run again. */
  async function finish(ctx: TurnContext, flow: Flow): Promise<void> {
    const { clientId } = flow.editing!;
    const app = await registry.get(clientId);
    const edit = app?.lastEdit?.id === flow.id ? app.lastEdit : undefined;
    if (app && edit) {
      // Only what is still pending: an admin may have decided, or a later change removed it.
      const pending = edit.pending.filter((s) => app.pendingScopes.includes(s));
      if (pending.length && (app.status === 'active' || app.status === 'suspended')) await requestScopes(ctx, app, pending, app.justification ?? '');
      // Made public: the review is filed; made private: a review still waiting is closed.
      if (app.status === 'active' || app.status === 'suspended') await reviewPublic(ctx, app);
      checkpoint('edit:filed');
      if (changedAnything(edit)) {
        await audit.append(
          { event: 'edited', clientId, appName: app.appName, requestId: '', actorId: flow.ownerId, scopes: [...edit.granted, ...edit.pending], reason: null, detail: editDetail(edit) },
          `edited:${flow.id}`,
        );
      }
      if (flow.cardId) {
        await ctx.client.updateCard(flow.cardId, savedCard(app, edit, now())).catch((err: unknown) => ctx.log.warn('showing the saved changes failed', { flowId: flow.id, err }));
      }
    }
    await flows.update(flow.id, (cur) => (cur?.status === 'registering' ? { ...cur, status: 'submitted', clientId, cardVersion: cur.version, updatedAt: now() } : undefined));
  }

  /** Before the commit point: the form goes back to its review, nothing changed. */
  async function undo(ctx: TurnContext, flow: Flow): Promise<void> {
    const { after } = await flows.update(flow.id, (cur) =>
      cur?.status === 'registering' ? { ...cur, status: 'active', step: 'review', version: cur.version + 1, notice: EDIT_UNDONE_NOTICE, updatedAt: now() } : undefined,
    );
    if (after?.status !== 'active' || !after.cardId) return;
    await ctx.client.updateCard(after.cardId, flowCard(after, viewCtx(ctx.installation.botId)));
    await flows.update(flow.id, (cur) => (cur?.version === after.version ? { ...cur, cardVersion: after.version } : undefined));
  }

  /** The app can no longer be changed by this person (deleted, handed over): the form closes. */
  async function close(ctx: TurnContext, flow: Flow, reason: string): Promise<void> {
    const { after } = await flows.update(flow.id, (cur) => (cur?.status === 'registering' ? { ...cur, status: 'cancelled', version: cur.version + 1, cardVersion: cur.version + 1, updatedAt: now() } : undefined));
    if (after?.status !== 'cancelled' || !after.cardId) return;
    await ctx.client.updateCard(after.cardId, renderCard('flow-closed', { title: 'Nothing was changed', message: reason, tone: 'attention' })).catch(() => undefined);
  }

  /** A save found 'registering' with nobody working on it (a crash): finished forward when applied, else undone. */
  async function recover(ctx: TurnContext, flow: Flow): Promise<'finished' | 'undone'> {
    const app = await registry.get(flow.editing!.clientId);
    if (app?.lastEdit?.id === flow.id) {
      await finish(ctx, flow);
      return 'finished';
    }
    await undo(ctx, flow);
    return 'undone';
  }

  return { save, recover };
}
