import { randomUUID } from 'node:crypto';
import { createKeyedLock } from '../lib/keyed-lock.js';
import { renderCard } from '../cards/render-card.js';
import type { Flow, FlowAction } from '../conversation/flow.js';
import { FLOW_ACTIONS } from '../conversation/flow.js';
import { transition } from '../conversation/transition.js';
import { APP_TYPE_LABELS, closedCard, flowCard } from '../conversation/views.js';
import type { AppRecord, AppRegistry, IssuedApp } from '../registry/app-records.js';
import type { AppDraft } from '../registry/fields.js';
import type { ScopeCatalog } from '../registry/scope-catalog.js';
import type { ChatClient } from '../platform/chat-client.js';
import type { Command } from './commands.js';
import type { IncomingMessage, Services, TurnContext } from './context.js';
import { movedOnDialog, noticeDialog } from './dialogs.js';
import type { SubmitContext, SubmitHandler, SubmitReply } from './handle-submit.js';

/** The credentials card could not be sent, so the app was not kept. */
class RegistrationNotSent extends Error {
  constructor(cause: unknown) {
    super('the credentials card could not be posted', { cause });
  }
}

/** Where a secret's reveal ends: the credentials card to update, and when. */
interface Reveal {
  cardId: string;
  accountId: string;
  clientId: string;
  hideAt: number;
  hidden: boolean;
}

export interface RegistrationOptions {
  services: Services;
  catalog: ScopeCatalog;
  registry: AppRegistry;
  /** Called once an app exists (approvals hook in here). */
  onRegistered?: (ctx: TurnContext, issued: IssuedApp) => Promise<void>;
}

export function createRegistration({ services, catalog, registry, onRegistered }: RegistrationOptions) {
  const { store, clock, config } = services;
  const flows = store.collection<Flow>('flows');
  const reveals = store.collection<Reveal>('reveals');
  const expireMs = config.flowExpireHours * 3600_000;
  const viewCtx = (botId: string) => ({ botId, catalog, allowNotificationAddins: config.allowNotificationAddins });
  // One thing at a time per person: two quick "create app" messages must not open two forms.
  const personLock = createKeyedLock();
  const personKey = (accountId: string, personId: string) => `${accountId}:${personId}`;
  const serialised =
    (run: (ctx: TurnContext, m: IncomingMessage) => Promise<void>) =>
    (ctx: TurnContext, m: IncomingMessage) =>
      personLock.run(personKey(ctx.installation.accountId, m.personId), () => run(ctx, m));

  async function activeFlowOf(accountId: string, ownerId: string): Promise<Flow | undefined> {
    return (await flows.list()).find((f) => f.status === 'active' && f.accountId === accountId && f.ownerId === ownerId);
  }

  const isExpired = (flow: Flow) => clock.now() - flow.updatedAt >= expireMs;

  async function expire(client: ChatClient, flow: Flow) {
    const { before } = await flows.update(flow.id, (cur) => (cur?.status === 'active' ? { ...cur, status: 'expired', updatedAt: clock.now() } : undefined));
    if (before?.status !== 'active' || !flow.cardId) return;
    await client.updateCard(flow.cardId, closedCard('expired', `Forms expire after ${config.flowExpireHours} hours without an answer. `));
  }

  /** Moves a command from a shared chat into the person's direct chat, saying so where it was typed. */
  async function directChatFor({ client }: TurnContext, message: IncomingMessage, what: string): Promise<string> {
    if (message.direct) return message.chatId;
    await client.postText(message.chatId, `![:Person](${message.personId}) I'll ${what} in a direct message with you, so nothing about your app is shared here.`);
    return client.openDirect(message.personId);
  }

  /** Posts the flow's card afresh (resume), retiring the card it had. */
  async function repost(ctx: TurnContext, flow: Flow, chatId: string, notice: string) {
    const next: Flow = { ...flow, chatId, notice, errors: {}, version: flow.version + 1, updatedAt: clock.now() };
    const { id: cardId } = await ctx.client.postCard(chatId, flowCard(next, viewCtx(ctx.installation.botId)));
    await flows.put(flow.id, { ...next, cardId });
    if (flow.cardId && flow.cardId !== cardId) await ctx.client.updateCard(flow.cardId, closedCard('moved')).catch(() => undefined);
  }

  async function startCommand(ctx: TurnContext, message: IncomingMessage) {
    const { installation, client } = ctx;
    const chatId = await directChatFor(ctx, message, 'help you register your app');
    const existing = await activeFlowOf(installation.accountId, message.personId);
    if (existing && !isExpired(existing)) {
      await repost(ctx, existing, chatId, 'You already have a registration in progress: here it is. Type cancel to drop it and start over.');
      return;
    }
    if (existing) await expire(client, existing);
    const email = await client.getPerson(message.personId).then((p) => p.email ?? '', () => '');
    const now = clock.now();
    const flow: Flow = {
      id: randomUUID(),
      accountId: installation.accountId,
      ownerId: message.personId,
      chatId,
      cardId: null,
      step: 'type',
      version: 1,
      draft: {},
      entered: email ? { basics: { primaryContact: email } } : {},
      errors: {},
      notice: '',
      returnToReview: false,
      status: 'active',
      clientId: null,
      createdAt: now,
      updatedAt: now,
    };
    const { id: cardId } = await client.postCard(chatId, flowCard(flow, viewCtx(installation.botId)));
    await flows.put(flow.id, { ...flow, cardId });
    ctx.log.info('registration started', { flowId: flow.id });
  }

  async function resumeCommand(ctx: TurnContext, message: IncomingMessage) {
    const existing = await activeFlowOf(ctx.installation.accountId, message.personId);
    if (!existing || isExpired(existing)) {
      if (existing) await expire(ctx.client, existing);
      await ctx.client.postText(message.chatId, existing ? 'Your unfinished registration expired, so there is nothing to resume. Type **create app** to start again.' : 'You have no registration in progress. Type **create app** to start one.');
      return;
    }
    const chatId = await directChatFor(ctx, message, 'continue');
    await repost(ctx, existing, chatId, '');
  }

  async function cancelCommand(ctx: TurnContext, message: IncomingMessage) {
    const existing = await activeFlowOf(ctx.installation.accountId, message.personId);
    if (!existing) {
      await ctx.client.postText(message.chatId, 'You have no registration in progress, so there is nothing to cancel.');
      return;
    }
    const { before } = await flows.update(existing.id, (cur) => (cur?.status === 'active' ? { ...cur, status: 'cancelled', version: cur.version + 1, updatedAt: clock.now() } : undefined));
    if (before?.status === 'active' && existing.cardId) await ctx.client.updateCard(existing.cardId, closedCard('cancelled'));
    await ctx.client.postText(message.chatId, 'Cancelled: nothing was registered. Type **create app** whenever you want to start again.');
  }

  function nextSteps(app: AppRecord): string {
    switch (app.appType) {
      case 'bot':
        return 'Install the bot from the Developer Console. RingCentral then posts the bot\'s permanent access token to your bot\'s OAuth redirect URI; the bot uses that token, not a user login.';
      case 'notification':
        return 'Share your installation instructions with your users. RingCentral generates an incoming webhook URL for each installation.';
      default:
        return app.authMethod === 'oauth'
          ? `Send users to RingCentral's authorization page with your client ID and one of your redirect URIs, then exchange the code at /restapi/oauth/token using your client ID and secret.${app.refreshTokens ? ' Keep the refresh token and exchange it for new access tokens at least once a day.' : ' Refresh tokens are off: users sign in again when the access token expires.'}`
          : 'Create a JWT credential in the Developer Console, then exchange it at /restapi/oauth/token (grant_type urn:ietf:params:oauth:grant-type:jwt-bearer) using your client ID and secret.';
    }
  }

  function hideAtText(hideAt: number): string {
    const at = new Date(hideAt).toISOString().slice(11, 16);
    const minutes = Math.max(1, Math.round((hideAt - clock.now()) / 60_000));
    return `This card hides the secrets at ${at} UTC (in ${minutes} minute${minutes === 1 ? '' : 's'}). Copy them now: they are shown once.`;
  }

  const credentialsBase = (app: AppRecord) => ({
    appName: app.appName,
    appTypeLabel: APP_TYPE_LABELS[app.appType],
    clientId: app.clientId,
    grantedScopes: app.grantedScopes,
    pendingScopes: app.pendingScopes,
    nextSteps: nextSteps(app),
  });

  /**
   * Issues the app and sends its credentials. The card is posted first without secrets, and the
   * secrets are put in with an update: a create cannot be safely retried (it may have happened),
   * an update can, and the card's id is known, so the reveal can always be hidden later. Until
   * the secrets are on the card nothing is kept: a failure discards the record and throws, and the
   * form goes back to the review. Once they are shown the app exists, whatever fails afterwards.
   */
  async function register(ctx: SubmitContext, flow: Flow, draft: AppDraft): Promise<void> {
    let issued: IssuedApp;
    try {
      issued = await registry.create({ draft, accountId: flow.accountId, ownerId: flow.ownerId, now: clock.now() });
    } catch (err) {
      throw new RegistrationNotSent(err);
    }
    const hideAt = clock.now() + config.secretRevealSeconds * 1000;
    const card = renderCard('credentials', {
      ...credentialsBase(issued.record),
      clientSecret: issued.clientSecret,
      sharedSecret: issued.sharedSecret ?? '',
      hideAtText: hideAtText(hideAt),
    });
    let cardId: string | undefined;
    try {
      // The credentials go to the flow's direct chat, never to the chat the click came from.
      ({ id: cardId } = await ctx.client.postCard(flow.chatId, renderCard('notice', { title: `Issuing credentials for ${issued.record.appName}`, message: 'One moment...' })));
      await reveals.put(cardId, { cardId, accountId: flow.accountId, clientId: issued.record.clientId, hideAt, hidden: false });
      await ctx.client.updateCard(cardId, card);
    } catch (err) {
      await registry.discard(issued.record.clientId);
      if (cardId) await ctx.client.updateCard(cardId, closedCard('not-issued')).catch(() => undefined);
      throw new RegistrationNotSent(err);
    }
    ctx.log.info('app registered', { flowId: flow.id, clientId: issued.record.clientId, pending: issued.record.pendingScopes.length });
    await flows.update(flow.id, (cur) => cur && { ...cur, clientId: issued.record.clientId });
    const followUps: Promise<unknown>[] = [];
    if (flow.cardId) followUps.push(ctx.client.updateCard(flow.cardId, closedCard('registered', issued.record.appName)));
    if (onRegistered) followUps.push(onRegistered(ctx, issued));
    for (const result of await Promise.allSettled(followUps)) {
      if (result.status === 'rejected') ctx.log.error('a step after registering failed; the app is registered', { clientId: issued.record.clientId, err: result.reason });
    }
  }

  async function onFlowClick(ctx: SubmitContext): Promise<SubmitReply> {
    const data = ctx.submit.data;
    const flowId = typeof data.flowId === 'string' ? data.flowId : '';
    const flow = flowId ? await flows.get(flowId) : undefined;
    if (!flow) return noticeDialog('This form is no longer available', 'Type **create app** to start a new registration.');
    if (ctx.personId !== flow.ownerId) {
      ctx.log.warn('flow click by someone else refused', { flowId });
      return noticeDialog('This form is not yours', 'Only the person who started this registration can fill it in. Type **create app** to register an app of your own.');
    }
    if (flow.status !== 'active') {
      return noticeDialog('This form is closed', flow.status === 'submitted' ? 'This app was already registered; nothing was changed.' : 'Nothing was changed. Type **create app** to start again.');
    }
    if (isExpired(flow)) {
      await expire(ctx.client, flow);
      return noticeDialog('This form expired', 'Nothing was registered. Type **create app** to start again.');
    }
    if (String(data.version) !== String(flow.version) || (ctx.cardId && flow.cardId && ctx.cardId !== flow.cardId)) return movedOnDialog();

    return personLock.run(personKey(flow.accountId, flow.ownerId), () => applyClick(ctx, flow.id));
  }

  /** Applies one click to the flow as it is now (re-read under the person's lock). */
  async function applyClick(ctx: SubmitContext, flowId: string): Promise<SubmitReply> {
    const flow = await flows.get(flowId);
    const data = ctx.submit.data;
    if (!flow || flow.status !== 'active' || String(data.version) !== String(flow.version)) return movedOnDialog();
    if (ctx.cardId && flow.cardId && ctx.cardId !== flow.cardId) return movedOnDialog();
    const existing = await registry.listByOwner(flow.accountId, flow.ownerId);
    const result = transition(
      flow,
      { action: data.action as FlowAction, section: typeof data.section === 'string' ? data.section : undefined, inputs: data },
      { existingAppNames: existing.map((a) => a.appName), allowNotificationAddins: config.allowNotificationAddins, catalog, now: clock.now() },
    );
    if (result.outcome === 'stale') return movedOnDialog();
    // Commit only if nobody moved the flow meanwhile: of two quick clicks, exactly one acts.
    const { before } = await flows.update(flow.id, (cur) => (cur && cur.version === flow.version && cur.status === 'active' ? result.flow : undefined));
    if (!before || before.version !== flow.version || before.status !== 'active') return movedOnDialog();
    /** Puts the flow back as it was, so the card the person still sees stays the one that works. */
    const rollback = () => flows.update(flow.id, (cur) => (cur?.version === result.flow.version ? flow : undefined));

    const cardId = flow.cardId!;
    switch (result.outcome) {
      case 'render':
      case 'cancelled': {
        const card = result.outcome === 'render' ? flowCard(result.flow, viewCtx(ctx.installation.botId)) : closedCard('cancelled');
        try {
          await ctx.client.updateCard(cardId, card);
        } catch (err) {
          await rollback();
          throw err;
        }
        return;
      }
      case 'submit':
        try {
          await register(ctx, result.flow, result.draft);
        } catch (err) {
          if (!(err instanceof RegistrationNotSent)) throw err; // registered: never claim otherwise
          // Put the flow back at the review so the person can simply try again.
          const back: Flow = { ...result.flow, status: 'active', step: 'review', version: result.flow.version + 1, notice: 'Registering the app failed, so nothing was registered. Please try again in a moment.' };
          await flows.put(flow.id, back);
          await ctx.client.updateCard(cardId, flowCard(back, viewCtx(ctx.installation.botId))).catch(() => undefined);
          throw err.cause;
        }
        return;
    }
  }

  /** Hides secrets whose time is up and expires abandoned forms (run periodically and at start-up). */
  async function sweep(): Promise<void> {
    const { installations, log } = services;
    const now = clock.now();
    for (const reveal of await reveals.list()) {
      if (reveal.hidden || reveal.hideAt > now) continue;
      try {
        const installation = await installations.get(reveal.accountId);
        const app = await registry.get(reveal.clientId);
        if (installation) {
          const client = await installations.client(installation);
          // No record means the registration did not finish: whatever the card showed is void.
          await client.updateCard(reveal.cardId, app ? renderCard('credentials-hidden', credentialsBase(app)) : closedCard('not-issued'));
        }
        await reveals.update(reveal.cardId, (cur) => cur && { ...cur, hidden: true });
      } catch (err) {
        log.error('hiding a secret card failed; will retry', { cardId: reveal.cardId, err });
      }
    }
    for (const flow of await flows.list()) {
      if (flow.status !== 'active' || !isExpired(flow)) continue;
      const installation = await installations.get(flow.accountId);
      if (!installation) continue;
      await expire(await installations.client(installation), flow).catch((err: unknown) => log.error('expiring a form failed', { flowId: flow.id, err }));
    }
  }

  const commands: Command[] = [
    { words: ['create app', 'new app', 'register app', 'create an app', 'register an app'], summary: 'register a new RingCentral app and get its credentials in a private message.', run: serialised(startCommand) },
    { words: ['resume', 'continue'], summary: 'show your unfinished registration again.', run: serialised(resumeCommand) },
    { words: ['cancel', 'stop'], summary: 'drop your unfinished registration.', run: serialised(cancelCommand) },
  ];
  const submitHandlers = new Map<string, SubmitHandler>(FLOW_ACTIONS.map((a) => [a, onFlowClick]));
  return { commands, submitHandlers, sweep };
}
