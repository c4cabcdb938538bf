import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../approvals/audit-log.js';
import type { Services } from '../bot/context.js';
import { noticeDialog } from '../bot/dialogs.js';
import type { SubmitContext, SubmitHandler, SubmitReply } from '../bot/handle-submit.js';
import { personName } from '../bot/person-name.js';
import { plainText } from '../cards/plain-text.js';
import { renderCard, type Card } from '../cards/render-card.js';
import { APP_TYPE_LABELS } from '../conversation/views.js';
import type { ChatClient } from '../platform/chat-client.js';
import { DISTRIBUTION_LABELS, distributionOf, holdsName, type AppRecord, type AppRegistry } from '../registry/app-records.js';
import { nameKey } from '../registry/name-key.js';
import { namedLock, type NamedLock } from '../store/named-lock.js';
import { str, type createClickGuard } from './click-guard.js';

/**
 * Handing an app over: the owner names a person (their person id, or a pasted mention), who gets a
 * card to accept or decline. One offer per app at a time (a new one supersedes it). Accepting
 * checks, at that moment, that the offer is still the app's latest and the app still the offering
 * owner's. Nothing secret travels: the new owner rotates the secrets if the old one should lose them.
 */
export interface TransferOffer {
  offerId: string;
  clientId: string;
  accountId: string;
  fromId: string;
  toId: string;
  at: number;
  /** 'accepting': the new owner clicked Accept and the hand-over is under way (finished at start-up after a crash). */
  status: 'open' | 'accepting' | 'accepted' | 'declined' | 'withdrawn';
  cardId: string | null;
}

/** "400123", "![:Person](400123)" (a mention pasted from a post) → "400123"; anything else → undefined. */
export function personIdIn(text: string): string | undefined {
  const t = text.trim();
  const mention = /^!\[:Person\]\((\d{1,20})\)$/.exec(t);
  if (mention) return mention[1];
  return /^\d{1,20}$/.test(t) ? t : undefined;
}

export interface HandOverDeps {
  services: Services;
  registry: AppRegistry;
  audit: AuditLog;
  appLock: NamedLock;
  guard: ReturnType<typeof createClickGuard>;
  ownerCard: (app: AppRecord, botId: string, notice?: string) => Card;
  /** Why the person may not own one more app (MAX_APPS_PER_PERSON, src/access/), or undefined. */
  appsRefusal?: (accountId: string, personId: string) => Promise<string | undefined>;
  /** Moves the app's open approval requests to its new owner (src/approvals/): part of finishing a hand-over. */
  moveRequestsOf?: (client: ChatClient, botId: string, clientId: string, ownerId: string) => Promise<void>;
}

export function createHandOver({ services, registry, audit, appLock, guard, ownerCard, appsRefusal, moveRequestsOf }: HandOverDeps) {
  // The new owner's registration lock: an app accepted and one registered at the same moment cannot both pass the quota.
  const personLock = namedLock(services.store, 'person');
  const { store, clock, log } = services;
  // Keyed by client ID: the app's latest offer (a new one replaces, so supersedes, the one before).
  const offers = store.collection<TransferOffer>('transfer-offers');
  const locked = (run: (ctx: SubmitContext) => Promise<SubmitReply>) => (ctx: SubmitContext) => appLock.run(str(ctx.submit.data.clientId), () => run(ctx));

  function offerCard(app: AppRecord, offer: TransferOffer, botId: string, text: { title: string; message: string }, open: boolean): Card {
    return renderCard('transfer-offer', {
      ...text,
      facts: [
        { title: 'App', value: plainText(app.appName) },
        { title: 'Type', value: Object.hasOwn(APP_TYPE_LABELS, app.appType) ? APP_TYPE_LABELS[app.appType] : String(app.appType) },
        { title: 'Client ID', value: app.clientId },
        { title: 'Granted scopes', value: app.grantedScopes.length ? plainText(app.grantedScopes.join(', ')) : 'None' },
        ...(app.pendingScopes.length ? [{ title: 'Awaiting approval', value: `${plainText(app.pendingScopes.join(', '))} (the admins' decision will come to the owner)` }] : []),
        // A public app waiting for its review works privately: whoever takes it should know.
        ...(app.access === 'public' ? [{ title: 'Distribution', value: distributionOf(app) === 'held' ? `${DISTRIBUTION_LABELS.held}: held for the admins' review before it goes public (their decision will come to the owner)` : DISTRIBUTION_LABELS[distributionOf(app)] }] : []),
      ],
      open,
      clientId: app.clientId,
      offerId: offer.offerId,
      botId,
    });
  }

  /** Whether `personId` already holds an app of this name (names are unique per owner). */
  async function holdsSameName(app: AppRecord, personId: string): Promise<boolean> {
    return (await registry.listByOwner(app.accountId, personId)).some((a) => a.clientId !== app.clientId && nameKey(a.appName) === nameKey(app.appName) && holdsName(a));
  }

  const offer = locked(async (ctx) => {
    const { app, reply } = await guard.check(ctx, 'owner', { redraw: (a) => ownerCard(a, ctx.installation.botId) });
    if (!app) return reply;
    if (app.status === 'suspended') return noticeDialog('This app is suspended', SUSPENDED_HOLD);
    const typed = str(ctx.submit.data.newOwner).trim();
    if (!typed) return noticeDialog('To whom?', "Type the new owner's person id in the field above the button, then click it again.");
    const toId = personIdIn(typed);
    if (!toId) return noticeDialog('That is not a person id', `"${plainText(typed, { max: 60 })}" is not a person id. Type the new owner's id, the digits only (for example 400123456789).`);
    if (toId === ctx.personId) return noticeDialog('That is you', 'You already own this app. Type the person id of the colleague who should own it.');
    if (toId === ctx.installation.botId) return noticeDialog('That is me', 'I am Registrar, a bot: I cannot own apps. Type the person id of the colleague who should own it.');
    const person = await ctx.client.getPerson(toId).catch(() => undefined);
    if (!person || (person.companyId !== undefined && person.companyId !== null && String(person.companyId) !== ctx.installation.accountId)) {
      return noticeDialog('Nobody found', `I cannot find anyone with the person id ${toId} in this account. Check the id and try again.`);
    }
    if (await holdsSameName(app, toId)) {
      return noticeDialog('They have an app of that name', `${plainText(await personName(ctx.client, toId))} already owns an app called ${plainText(app.appName)}. Names are unique per owner, so one of the two has to be renamed or deleted first.`);
    }
    const next: TransferOffer = { offerId: randomUUID(), clientId: app.clientId, accountId: app.accountId, fromId: ctx.personId, toId, at: clock.now(), status: 'open', cardId: null };
    const { before } = await offers.update(app.clientId, () => next);
    if (before?.status === 'open' && before.cardId) await ctx.client.updateCard(before.cardId, await answeredCard(ctx.client, app, before, 'withdrawn', ctx.installation.botId)).catch(() => undefined);
    const fromName = plainText(await personName(ctx.client, ctx.personId));
    const chatId = await ctx.client.openDirect(toId);
    const { id: cardId } = await ctx.client.postCard(
      chatId,
      offerCard(app, next, ctx.installation.botId, {
        title: `${fromName} offers you an app: ${plainText(app.appName)}`,
        message: 'If you accept, you own it: you can rotate its secrets, change it, hand it on or delete it. No secret comes with it; rotate the client secret once you own it if the previous owner should no longer have one that works.',
      }, true),
    );
    await offers.update(app.clientId, (cur) => (cur?.offerId === next.offerId ? { ...cur, cardId } : undefined));
    // The history keeps names as text; `audit` escapes them when it shows them.
    const toName = await personName(ctx.client, toId);
    await audit.append({ event: 'transfer-offered', clientId: app.clientId, appName: app.appName, requestId: '', actorId: ctx.personId, scopes: [], reason: null, detail: `to ${toName} (${toId})` }, `offer:${next.offerId}`);
    return noticeDialog('Offer sent', `${plainText(toName)} got a card to accept or decline ${plainText(app.appName)}. I will tell you their answer; the app stays yours until they accept.`);
  });

  async function answeredCard(client: ChatClient, app: AppRecord, o: TransferOffer, outcome: 'accepted' | 'declined' | 'withdrawn', botId: string): Promise<Card> {
    const from = plainText(await personName(client, o.fromId));
    const text = {
      accepted: { title: `You now own ${plainText(app.appName)}`, message: `${from} was told. Say **app ${plainText(app.appName)}** to manage it.` },
      declined: { title: `You declined ${plainText(app.appName)}`, message: `${from} still owns it and was told.` },
      withdrawn: { title: `This offer of ${plainText(app.appName)} was withdrawn`, message: `${from} still owns the app; nothing changed for you.` },
    }[outcome];
    return offerCard(app, o, botId, text, false);
  }

  /** The offer the click answers, when it is still open and for the clicker; otherwise the dialog. */
  async function openOffer(ctx: SubmitContext) {
    const clientId = str(ctx.submit.data.clientId);
    const o = clientId ? await offers.get(clientId) : undefined;
    const app = clientId ? await registry.get(clientId) : undefined;
    if (o && o.offerId === str(ctx.submit.data.offerId) && o.toId !== ctx.personId) {
      ctx.log.warn('hand-over click by someone else refused', { clientId });
      return { reply: noticeDialog('This offer is not for you', 'Only the person it was offered to can answer it. Nothing was changed.') };
    }
    if (!o || !app || o.offerId !== str(ctx.submit.data.offerId) || o.status !== 'open' || app.accountId !== ctx.installation.accountId) {
      return { reply: noticeDialog('This offer is no longer open', 'It was answered, withdrawn or replaced by a newer one, so nothing was changed.') };
    }
    if (!holdsName(app) || app.ownerId !== o.fromId) {
      return { reply: noticeDialog('This offer is no longer open', app.ownerId !== o.fromId ? 'The app changed hands since it was offered, so nothing was changed.' : 'The app was deleted, so nothing was changed.') };
    }
    return { o, app };
  }

  const tell = (client: ChatClient, personId: string, text: string) =>
    client
      .openDirect(personId)
      .then((chatId) => client.postText(chatId, text))
      .catch((err: unknown) => log.error('telling about a hand-over failed', { err }));

  const accept = locked((ctx) => personLock.run(`${ctx.installation.accountId}:${ctx.personId}`, () => acceptNow(ctx)));
  async function acceptNow(ctx: SubmitContext): Promise<SubmitReply> {
    const { o, app, reply } = await openOffer(ctx);
    if (!o) return reply;
    const full = await appsRefusal?.(app.accountId, ctx.personId);
    if (full) return noticeDialog('You have as many apps as you may', `${full} Nothing was changed; the offer stays open.`);
    if (app.status === 'suspended') return noticeDialog('This app is suspended', 'An admin suspended it after it was offered to you, so it cannot change hands until it is reinstated. Nothing was changed; the offer stays open.');
    if (await holdsSameName(app, ctx.personId)) return noticeDialog('You have an app of that name', `You already own an app called ${plainText(app.appName)}: rename or delete yours first, then accept. Nothing was changed.`);
    // 'accepting' marks the hand-over as under way: a crash from here is finished (or the offer reopened) at start-up.
    const { before } = await offers.update(app.clientId, (cur) => (cur?.offerId === o.offerId && cur.status === 'open' ? { ...cur, status: 'accepting', cardId: cur.cardId ?? ctx.cardId ?? null } : undefined));
    if (before?.status !== 'open') return noticeDialog('This offer is no longer open', 'Nothing was changed.');
    services.checkpoint('transfer:accepting');
    const at = new Date(clock.now()).toISOString();
    // The commit point: the app changes owner only if it is still the offering owner's.
    const after = await registry.update(app.clientId, (cur) => (cur.ownerId === o.fromId && holdsName(cur) ? { ...cur, ownerId: o.toId, updatedAt: at } : undefined));
    services.checkpoint('transfer:stored');
    // Committed: what is left to do is finished at start-up if it fails now (the offer stays 'accepting').
    await settleAccept(ctx.client, ctx.installation.botId, o.clientId).catch((err: unknown) => ctx.log.error('finishing a hand-over failed; recovery will', { clientId: o.clientId, err }));
    if (after?.ownerId !== o.toId) return noticeDialog('This offer is no longer open', 'The app changed while you clicked, so nothing was changed.');
    return;
  }

  /**
   * Finishes an accepted hand-over: when the app is the new owner's, the history, the offer's card
   * and the previous owner's news; otherwise (it never changed hands) the offer is open again, or
   * withdrawn when the app is gone or someone else's. The app's open approval requests move to the
   * new owner before the offer counts as accepted, so a crash between leaves it 'accepting' and the
   * move is finished at start-up. Safe to run again (the history entry is keyed, the move idempotent).
   */
  async function settleAccept(client: ChatClient, botId: string, clientId: string): Promise<void> {
    const o = await offers.get(clientId);
    if (o?.status !== 'accepting') return;
    const app = await registry.get(clientId);
    if (!app || app.ownerId !== o.toId) {
      const reopen = app !== undefined && app.ownerId === o.fromId && holdsName(app);
      await offers.update(clientId, (cur) => (cur?.offerId === o.offerId && cur.status === 'accepting' ? { ...cur, status: reopen ? 'open' : 'withdrawn' } : undefined));
      return;
    }
    await moveRequestsOf?.(client, botId, clientId, o.toId);
    const toName = await personName(client, o.toId);
    await audit.append({ event: 'transfer-accepted', clientId, appName: app.appName, requestId: '', actorId: o.toId, scopes: [], reason: null, detail: `from ${await personName(client, o.fromId)} (${o.fromId}) to ${toName} (${o.toId})` }, `accepted:${o.offerId}`);
    if (o.cardId) await client.updateCard(o.cardId, await answeredCard(client, app, o, 'accepted', botId)).catch((err: unknown) => log.warn('drawing an answered offer failed', { err }));
    await tell(client, o.fromId, `${plainText(toName)} accepted your offer: **${plainText(app.appName)}** is theirs now. Its secrets did not change.`);
    await offers.update(clientId, (cur) => (cur?.offerId === o.offerId && cur.status === 'accepting' ? { ...cur, status: 'accepted' } : undefined));
  }

  const decline = locked(async (ctx) => {
    const { o, app, reply } = await openOffer(ctx);
    if (!o) return reply;
    const { before } = await offers.update(app.clientId, (cur) => (cur?.offerId === o.offerId && cur.status === 'open' ? { ...cur, status: 'declined' } : undefined));
    if (before?.status !== 'open') return noticeDialog('This offer is no longer open', 'Nothing was changed.');
    const toName = await personName(ctx.client, o.toId);
    await audit.append({ event: 'transfer-declined', clientId: app.clientId, appName: app.appName, requestId: '', actorId: ctx.personId, scopes: [], reason: null, detail: `by ${toName} (${o.toId})` }, `declined:${o.offerId}`);
    if (ctx.cardId) await ctx.client.updateCard(ctx.cardId, await answeredCard(ctx.client, app, o, 'declined', ctx.installation.botId)).catch(() => undefined);
    await tell(ctx.client, o.fromId, `${plainText(toName)} declined your offer of **${plainText(app.appName)}**: it stays yours.`);
    return;
  });

  /** The app was deleted: its open offer goes, and the offer's card says so. */
  async function withdraw(client: ChatClient, clientId: string, botId: string) {
    const { before } = await offers.update(clientId, (cur) => (cur?.status === 'open' ? { ...cur, status: 'withdrawn' } : undefined));
    const app = await registry.get(clientId);
    if (before?.status === 'open' && before.cardId && app) await client.updateCard(before.cardId, await answeredCard(client, app, before, 'withdrawn', botId));
  }

  const submitHandlers = new Map<string, SubmitHandler>([
    ['transfer-app', offer],
    ['accept-transfer', accept],
    ['decline-transfer', decline],
  ]);
  /** Hand-overs a crash interrupted after Accept: finished or reopened. The caller holds the app's lock. */
  const leftovers = () => offers.due('accepting', Number.MAX_SAFE_INTEGER);

  return { submitHandlers, withdraw, settleAccept, leftovers };
}

/** While an admin has an app suspended, it stays where the admins can find it: with its owner. */
export const SUSPENDED_HOLD = 'An admin suspended it, so it cannot be handed over or deleted until it is reinstated. Nothing was changed.';
