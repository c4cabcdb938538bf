import type { AuditLog } from '../approvals/audit-log.js';
import { utc } from '../approvals/approval-request.js';
import type { Services } from '../bot/context.js';
import { noticeDialog } from '../bot/dialogs.js';
import type { SubmitContext, SubmitHandler, SubmitReply } from '../bot/handle-submit.js';
import { personName } from '../bot/person-name.js';
import { plainText } from '../cards/plain-text.js';
import type { Card } from '../cards/render-card.js';
import type { ChatClient } from '../platform/chat-client.js';
import type { Installation } from '../platform/installations.js';
import { hasSharedSecret, holdsName, type AppRecord, type AppRegistry, type SecretKind } from '../registry/app-records.js';
import { isLive } from '../registry/app-secrets.js';
import type { NamedLock } from '../store/named-lock.js';
import { confirmDeleteCard, noticeCard } from './app-views.js';
import { str, type createClickGuard } from './click-guard.js';
import { RotationUndone, UNDONE_TEXT, type createRotator } from './rotate-secret.js';
import { KIND_LABEL, secretName, secretsOf } from './secret-cards.js';

export interface ActionDeps {
  services: Services;
  registry: AppRegistry;
  audit: AuditLog;
  appLock: NamedLock;
  guard: ReturnType<typeof createClickGuard>;
  rotator: ReturnType<typeof createRotator>;
  /** The app card as its owner sees it, and as the admins do. */
  ownerCard: (app: AppRecord, botId: string, notice?: string) => Card;
  adminCard: (app: AppRecord, client: ChatClient, botId: string, notice?: string) => Promise<Card>;
  /** Closes the app's open approval requests (src/approvals/), their admin cards saying why. */
  closeRequestsOf: (installation: Installation, client: ChatClient, clientId: string) => Promise<void>;
  /** Withdraws an open hand-over offer of the app (its card says so). */
  withdrawOffer: (client: ChatClient, clientId: string, botId: string) => Promise<void>;
}

/** The owner's and the admins' buttons on an app card: rotate, revoke, delete, suspend, reinstate. */
export function appActions(deps: ActionDeps): Map<string, SubmitHandler> {
  const { services, registry, audit, appLock, guard, rotator, ownerCard, adminCard } = deps;
  const { clock, log } = services;
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
    const after = await registry.revokeSecret(app.clientId, kind, entry.id);
    if (!after) return noticeDialog('That secret no longer works', 'It was rotated out or revoked already, so nothing was changed.');
    const detail = `${KIND_LABEL[kind]} ${secretName(entry)}`;
    await audit.append({ event: kind === 'client' ? 'secret-revoked' : 'shared-secret-revoked', clientId: app.clientId, appName: app.appName, requestId: '', actorId: ctx.personId, scopes: [], reason: null, detail }, `revoke:${entry.id}`);
    ctx.log.info('secret revoked', { clientId: app.clientId, kind });
    await redrawClicked(ctx, ownerCard(after, ctx.installation.botId, `The ${detail} was revoked at ${utc(clock.now())}: it verifies nothing any more.`));
    return;
  });

  const askDelete = async (ctx: SubmitContext): Promise<SubmitReply> => {
    const { app, reply } = await guard.check(ctx, 'owner', { redraw: ownerRedraw(ctx) });
    if (!app) return reply;
    const chatId = ctx.chatId ?? (await ctx.client.openDirect(ctx.personId));
    await ctx.client.postCard(chatId, confirmDeleteCard(app, { botId: ctx.installation.botId, now: clock.now() }));
    return;
  };

  const confirmDelete = locked(async (ctx) => {
    const { app, reply } = await guard.check(ctx, 'owner', { redraw: (a) => confirmDeleteCard(a, { botId: ctx.installation.botId, now: clock.now() }) });
    if (!app) return reply;
    const at = iso();
    // The commit point: one conditional write; from here the app authorises nothing.
    const after = await registry.update(app.clientId, (cur) => (cur.ownerId === ctx.personId && holdsName(cur) ? { ...cur, status: 'deleted', deletedAt: at, updatedAt: at } : undefined));
    if (after?.status !== 'deleted') return noticeDialog('Nothing was deleted', 'The app changed while you clicked. Say **app** with its name to see it as it is.');
    services.checkpoint('delete:stored');
    ctx.log.info('app deleted', { clientId: app.clientId });
    // What follows is owed, not optional: the sweep closes requests of deleted apps it finds open.
    await audit.append({ event: 'deleted', clientId: app.clientId, appName: app.appName, requestId: '', actorId: ctx.personId, scopes: [], reason: null }, `deleted:${app.clientId}`);
    await deps.withdrawOffer(ctx.client, app.clientId, ctx.installation.botId).catch((err: unknown) => log.warn('withdrawing a hand-over offer failed', { err }));
    await deps.closeRequestsOf(ctx.installation, ctx.client, app.clientId).catch((err: unknown) => log.error('closing the requests of a deleted app failed; the sweep will', { err }));
    await redrawClicked(
      ctx,
      noticeCard(`Deleted: ${plainText(app.appName)}`, `Its secrets stopped working at ${utc(clock.now())}, and the name is free to use again. Its history stays in the audit log.`),
    );
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
      if (suspend && !reason) return noticeDialog('A reason is needed', "Please write why in the Reason field before suspending; the app's owner will see it. Nothing was changed.");
      const at = iso();
      const after = await registry.update(app.clientId, (cur) => {
        if (cur.status !== wanted) return undefined;
        if (suspend) return { ...cur, status: 'suspended', suspension: { at, by: ctx.personId, reason }, updatedAt: at };
        const { suspension: _gone, ...rest } = cur;
        return { ...rest, status: 'active', updatedAt: at };
      });
      if (after?.status !== (suspend ? 'suspended' : 'active')) return noticeDialog('Nothing was changed', 'The app changed while you clicked.');
      await audit.append({ event: suspend ? 'suspended' : 'reinstated', clientId: app.clientId, appName: app.appName, requestId: '', actorId: ctx.personId, scopes: [], reason: reason || null }, `${suspend ? 'suspend' : 'reinstate'}:${app.clientId}:${at}`);
      ctx.log.info(suspend ? 'app suspended' : 'app reinstated', { clientId: app.clientId });
      const admin = plainText(await personName(ctx.client, ctx.personId));
      await redrawClicked(ctx, await adminCard(after, ctx.client, ctx.installation.botId, `${suspend ? 'Suspended' : 'Reinstated'} by ${admin} at ${utc(clock.now())}. The owner was told.`));
      const why = reason ? ` Reason: ${plainText(reason)}` : '';
      const news = suspend
        ? `An admin suspended your app **${plainText(app.appName)}**: its secrets verify nothing until it is reinstated.${why}`
        : `An admin reinstated your app **${plainText(app.appName)}**: its secrets work again.${why}`;
      await ctx.client
        .openDirect(app.ownerId)
        .then((chatId) => ctx.client.postText(chatId, news))
        .catch((err: unknown) => log.error('telling the owner about a suspension failed', { clientId: app.clientId, err }));
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
