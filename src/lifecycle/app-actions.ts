import { utc } from '../approvals/approval-request.js';
import type { Services } from '../bot/context.js';
import { noticeDialog } from '../bot/dialogs.js';
import type { SubmitContext, SubmitHandler, SubmitReply } from '../bot/handle-submit.js';
import type { Card } from '../cards/render-card.js';
import { visibleText } from '../cards/plain-text.js';
import type { ChatClient } from '../platform/chat-client.js';
import { hasSharedSecret, type AppRecord, type AppRegistry, type SecretKind } from '../registry/app-records.js';
import { isLive } from '../registry/app-secrets.js';
import type { NamedLock } from '../store/named-lock.js';
import { confirmDeleteCard } from './app-views.js';
import type { createOwedEffects } from './owed-effects.js';
import { str, type createClickGuard } from './click-guard.js';
import { RotationUndone, UNDONE_TEXT, type createRotator } from './rotate-secret.js';
import { KIND_LABEL, secretName, secretsOf } from './secret-cards.js';
import { SUSPENDED_HOLD } from './hand-over.js';

export interface ActionDeps {
  services: Services;
  registry: AppRegistry;
  appLock: NamedLock;
  guard: ReturnType<typeof createClickGuard>;
  rotator: ReturnType<typeof createRotator>;
  /** The app card as its owner sees it, and as the admins do. */
  ownerCard: (app: AppRecord, botId: string, notice?: string) => Card;
  adminCard: (app: AppRecord, client: ChatClient, botId: string, notice?: string) => Promise<Card>;
  /** Makes a change and what it owes (history, cards, news) as one, finished after a crash. */
  owed: ReturnType<typeof createOwedEffects>;
}

/** The owner's and the admins' buttons on an app card: rotate, revoke, delete, suspend, reinstate. */
export function appActions(deps: ActionDeps): Map<string, SubmitHandler> {
  const { services, registry, appLock, guard, rotator, ownerCard, adminCard, owed } = deps;
  const { clock } = services;
  /** Who did what to which app, when, on which card: the start of every owed change. */
  const about = (ctx: SubmitContext, app: AppRecord) => ({ accountId: app.accountId, clientId: app.clientId, appName: app.appName, actorId: ctx.personId, at: clock.now(), cardId: ctx.cardId ?? null });
  const iso = () => new Date(clock.now()).toISOString();
  const locked = (run: (ctx: SubmitContext) => Promise<SubmitReply>) => (ctx: SubmitContext) => appLock.run(str(ctx.submit.data.clientId), () => run(ctx));
  /** Draws the clicked card again (a failed update is not the click's failure: the change stands). */
  const redrawClicked = async (ctx: SubmitContext, card: Card) => {
    if (ctx.cardId) await ctx.client.updateCard(ctx.cardId, card).catch((err: unknown) => ctx.log.warn('redrawing an app card failed', { err }));
  };
  const ownerRedraw = (ctx: SubmitContext) => (app: AppRecord) => ownerCard(app, ctx.installation.botId);

  const rotate = (kind: SecretKind) =>
    locked(async (ctx) => {
      const { app, reply } = await guard.check(ctx, 'owner', { redraw: ownerRedraw(ctx) });
      if (!app) return reply;
      if (app.status === 'suspended') return noticeDialog('This app is suspended', 'An admin suspended it, so its secrets cannot be rotated until it is reinstated. Nothing was changed.');
      if (kind === 'shared' && !hasSharedSecret(app)) return noticeDialog('No shared secret', 'This app has interactive messages off, so it has no shared secret to rotate.');
      try {
        await rotator.rotate(ctx, app, kind, ctx.personId);
      } catch (err) {
        if (err instanceof RotationUndone) return noticeDialog(`The ${KIND_LABEL[kind]} was not rotated`, UNDONE_TEXT);
        throw err;
      }
      // Clicked on the app card (it carries a stamp): it now shows the new secrets and what a next rotation would do.
      const after = await registry.get(app.clientId);
      if (after && str(ctx.submit.data.stamp)) await redrawClicked(ctx, ownerCard(after, ctx.installation.botId, `New ${KIND_LABEL[kind]} issued at ${utc(clock.now())}: it is in the card below.`));
      return;
    });

  const revoke = locked(async (ctx) => {
    const { app, reply } = await guard.check(ctx, 'owner', { redraw: ownerRedraw(ctx), stamp: false });
    if (!app) return reply;
    const kind: SecretKind = ctx.submit.data.kind === 'shared' ? 'shared' : 'client';
    const secretId = str(ctx.submit.data.secretId);
    const entry = secretsOf(app, kind).find((e) => e.id === secretId && isLive(e, clock.now()));
    if (!entry) {
      await redrawClicked(ctx, ownerCard(app, ctx.installation.botId));
      return noticeDialog('That secret no longer works', 'It was rotated out or revoked already, so nothing was changed. The card now shows the secrets that work.');
    }
    const after = await owed.change(ctx, { ...about(ctx, app), change: { event: 'secret-revoked', kind, entryId: entry.id, name: secretName(entry) } }, () =>
      registry.revokeSecret(app.clientId, kind, entry.id),
    );
    if (!after) return noticeDialog('That secret no longer works', 'It was rotated out or revoked already, so nothing was changed.');
    ctx.log.info('secret revoked', { clientId: app.clientId, kind });
    return;
  });

  const askDelete = async (ctx: SubmitContext): Promise<SubmitReply> => {
    const { app, reply } = await guard.check(ctx, 'owner', { redraw: ownerRedraw(ctx) });
    if (!app) return reply;
    if (app.status === 'suspended') return noticeDialog('This app is suspended', SUSPENDED_HOLD);
    const chatId = ctx.chatId ?? (await ctx.client.openDirect(ctx.personId));
    await ctx.client.postCard(chatId, confirmDeleteCard(app, { botId: ctx.installation.botId, now: clock.now() }));
    return;
  };

  const confirmDelete = locked(async (ctx) => {
    const { app, reply } = await guard.check(ctx, 'owner', { redraw: (a) => confirmDeleteCard(a, { botId: ctx.installation.botId, now: clock.now() }) });
    if (!app) return reply;
    if (app.status === 'suspended') return noticeDialog('This app is suspended', SUSPENDED_HOLD);
    const at = iso();
    // The commit point: one conditional write; from here the app authorises nothing.
    const after = await owed.change(ctx, { ...about(ctx, app), change: { event: 'deleted' } }, () =>
      registry.update(app.clientId, (cur) => (cur.ownerId === ctx.personId && cur.status === 'active' ? { ...cur, status: 'deleted', deletedAt: at, updatedAt: at } : undefined)),
    );
    if (after?.status !== 'deleted') return noticeDialog('Nothing was deleted', 'The app changed while you clicked. Say **app** with its name to see it as it is.');
    ctx.log.info('app deleted', { clientId: app.clientId });
    return;
  });

  const suspendOrReinstate = (suspend: boolean) =>
    locked(async (ctx) => {
      const adminRedraw = async (a: AppRecord) => adminCard(a, ctx.client, ctx.installation.botId);
      // Stale means the status moved on (the card's other facts do not change what the button does).
      const { app, reply } = await guard.check(ctx, 'admin', { stamp: false });
      if (!app) return reply;
      const wanted = suspend ? 'active' : 'suspended';
      if (app.status !== wanted) {
        await redrawClicked(ctx, await adminRedraw(app));
        return noticeDialog(suspend ? 'Already suspended' : 'Not suspended', 'Someone got there first, so nothing was changed. The card now shows the app as it is.');
      }
      const reason = str(ctx.submit.data.reason).trim().slice(0, 1000);
      if (suspend && !visibleText(reason)) return noticeDialog('A reason is needed', "Please write why in the Reason field before suspending; the app's owner will see it. Nothing was changed.");
      const at = iso();
      const after = await owed.change(ctx, { ...about(ctx, app), change: { event: suspend ? 'suspended' : 'reinstated', reason } }, () =>
        registry.update(app.clientId, (cur) => {
          if (cur.status !== wanted) return undefined;
          if (suspend) return { ...cur, status: 'suspended', suspension: { at, by: ctx.personId, reason }, updatedAt: at };
          const { suspension: _gone, ...rest } = cur;
          return { ...rest, status: 'active', updatedAt: at };
        }),
      );
      if (!after) return noticeDialog('Nothing was changed', 'The app changed while you clicked.');
      ctx.log.info(suspend ? 'app suspended' : 'app reinstated', { clientId: app.clientId });
      return;
    });

  return new Map<string, SubmitHandler>([
    ['rotate-secret', rotate('client')],
    ['rotate-shared-secret', rotate('shared')],
    ['revoke-secret', revoke],
    ['delete-app', askDelete],
    ['confirm-delete', confirmDelete],
    ['suspend-app', suspendOrReinstate(true)],
    ['reinstate-app', suspendOrReinstate(false)],
  ]);
}
