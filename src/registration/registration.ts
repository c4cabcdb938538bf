import { randomUUID } from 'node:crypto';
import { namedLock } from '../store/named-lock.js';
import type { Flow, FlowAction } from '../conversation/flow.js';
import { FLOW_ACTIONS } from '../conversation/flow.js';
import { transition } from '../conversation/transition.js';
import { closedCard, flowCard } from '../conversation/views.js';
import type { AppRecord, AppRegistry } from '../registry/app-records.js';
import { newClientId } from '../registry/credentials.js';
import type { ScopeCatalog } from '../registry/scope-catalog.js';
import type { ChatClient } from '../platform/chat-client.js';
import type { Installation } from '../platform/installations.js';
import { sayHint, type Command } from '../bot/commands.js';
import type { IncomingMessage, Services, TurnContext } from '../bot/context.js';
import { movedOnDialog, movedStubCard, noticeDialog } from '../bot/dialogs.js';
import type { SubmitContext, SubmitHandler, SubmitReply } from '../bot/handle-submit.js';
import { createFlowCards } from './flow-cards.js';
import { createIssuer, RegistrationUndone, UNDONE_NOTICE, type Reveal } from './issue-app.js';
import { createAuditLog } from '../approvals/audit-log.js';
import { plainText } from '../cards/plain-text.js';
import { applyEdit, createEditor, EDIT_UNDONE_NOTICE } from './edit-app.js';
import { editEntryPoints } from './edit-entry.js';

export interface RegistrationOptions {
  services: Services;
  catalog: ScopeCatalog;
  registry: AppRegistry;
  /** Files the approval request for an app's pending scopes (approvals hook in here); idempotent. */
  onRegistered?: (ctx: TurnContext, app: AppRecord, credentialsCardId: string) => Promise<void>;
  /** Files scopes an edit added that need approval (approvals.requestScopes); idempotent. */
  requestScopes?: (ctx: TurnContext, app: AppRecord, scopes: string[], justification: string) => Promise<void>;
  /** Files (or closes) an edited app's review for going public (approvals.reviewPublic); idempotent. */
  reviewPublic?: (ctx: TurnContext, app: AppRecord) => Promise<void>;
  /** Who may register, and how much (src/access/); everyone, without limits, when absent. */
  gate?: RegistrationGate;
}

/**
 * The checks a registration passes (src/access/ implements them): before a form opens, and again
 * at the click that would create the app or save an edit, under the person's lock, so two
 * registrations at once cannot both pass a quota the first one fills.
 */
export interface RegistrationGate {
  /** Before a form opens: whether the person may register; when not, the gate has answered them. */
  mayStart(ctx: TurnContext, message: IncomingMessage): Promise<boolean>;
  /**
   * Why this submit cannot go ahead now (no longer allowed to register, a quota reached), said so
   * the person knows what to do, or undefined. `newRequests`: approval requests it would file.
   */
  refusal(ctx: TurnContext, input: { personId: string; kind: 'register' | 'edit'; newRequests: number }): Promise<string | undefined>;
}

export function createRegistration({ services, catalog, registry, onRegistered = async () => {}, requestScopes = async () => {}, reviewPublic, gate }: RegistrationOptions) {
  const { store, clock, config, installations, log } = services;
  const flows = store.collection<Flow>('flows');
  const reveals = store.collection<Reveal>('reveals');
  const expireMs = config.flowExpireHours * 3600_000;
  const viewCtx = (botId: string) => ({ botId, catalog, allowNotificationAddins: config.allowNotificationAddins });
  const issuer = createIssuer({ flows, reveals, registry, now: () => clock.now(), viewCtx, onRegistered, checkpoint: services.checkpoint, outbox: services.outbox });
  const audit = createAuditLog(store, clock);
  const editor = createEditor({ flows, registry, catalog, audit, now: () => clock.now(), viewCtx, requestScopes, ...(reviewPublic ? { reviewPublic } : {}), checkpoint: services.checkpoint });
  /** A save or a registration nobody is working on (a crash, an undo not stored): finished or undone. */
  const recoverSubmit = (ctx: TurnContext, flow: Flow) => (flow.editing ? editor.recover(ctx, flow) : issuer.recover(ctx, flow));
  /** What the form is for, in a sentence's words. */
  const formWords = (flow: Flow) => (flow.editing ? `an edit of ${plainText(flow.editing.appName)}` : 'a registration');
  // One thing at a time per person: two quick "create app" messages must not open two forms.
  const personLock = namedLock(store, 'person');
  const personKey = (accountId: string, personId: string) => `${accountId}:${personId}`;
  const serialised =
    (run: (ctx: TurnContext, m: IncomingMessage) => Promise<void>) =>
    (ctx: TurnContext, m: IncomingMessage) =>
      personLock.run(personKey(ctx.installation.accountId, m.personId), () => run(ctx, m));

  async function activeFlowOf(accountId: string, ownerId: string): Promise<Flow | undefined> {
    return (await flows.find('owner', `${accountId}:${ownerId}`)).find((f) => f.status === 'active');
  }

  /**
   * Finishes or undoes the person's registrations left 'registering' (their undo could not be
   * saved, or a crash), before any command or click of theirs reads their forms: otherwise
   * "create app" would open a second form beside one that comes back later. Under the person's lock.
   */
  async function settleRegisteringOf(ctx: TurnContext, accountId: string, ownerId: string): Promise<void> {
    for (const flow of (await flows.find('owner', `${accountId}:${ownerId}`)).filter((f) => f.status === 'registering')) {
      await recoverSubmit(ctx, flow);
    }
  }

  const isExpired = (flow: Flow) => clock.now() - flow.updatedAt >= expireMs;
  const { drawCard, recorded, cardFor, lags, redrawDue, redraw } = createFlowCards({ flows, viewCtx, now: () => clock.now(), flowExpireHours: config.flowExpireHours, log, track: services.track });

  async function expire(client: ChatClient, flow: Flow) {
    const { after } = await flows.update(flow.id, (cur) => (cur?.status === 'active' ? { ...cur, status: 'expired', version: cur.version + 1, updatedAt: clock.now() } : undefined));
    if (after?.status !== 'expired' || after.version !== flow.version + 1 || !flow.cardId) return;
    await drawCard(client, after, closedCard('expired', `Forms expire after ${config.flowExpireHours} hours without an answer. `, after.editing));
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
    await flows.put(flow.id, { ...next, cardId, cardVersion: next.version });
    if (flow.cardId && flow.cardId !== cardId) await ctx.client.updateCard(flow.cardId, movedStubCard()).catch(() => undefined);
  }

  async function startCommand(ctx: TurnContext, message: IncomingMessage) {
    const { installation, client } = ctx;
    await settleRegisteringOf(ctx, installation.accountId, message.personId);
    if (gate && !(await gate.mayStart(ctx, message))) return;
    const chatId = await directChatFor(ctx, message, 'help you register your app');
    const existing = await activeFlowOf(installation.accountId, message.personId);
    if (existing && !isExpired(existing) && existing.cardId === null && !existing.editing && existing.version === 1) {
      // A new form whose card's posting was cut short (a crash; this very message handled again):
      // posted as it was, so the outbox finds the card already sent rather than posting another.
      const { id: cardId } = await client.postCard(existing.chatId, flowCard(existing, viewCtx(installation.botId)));
      await flows.update(existing.id, (cur) => (cur && cur.cardId === null ? { ...cur, cardId } : undefined));
      return;
    }
    if (existing && !isExpired(existing)) {
      const notice = existing.editing
        ? `You have ${formWords(existing)} open: here it is. Save or cancel it (type cancel) before registering a new app.`
        : 'You already have a registration in progress: here it is. Type cancel to drop it and start over.';
      await repost(ctx, existing, chatId, notice);
      return;
    }
    if (existing) await expire(client, existing);
    const email = await client.getPerson(message.personId).then((p) => p.email ?? '', () => '');
    const flow = newFlow(installation.accountId, message.personId, chatId, { entered: email ? { basics: { primaryContact: email } } : {} });
    await openForm(ctx, flow);
    ctx.log.info('registration started', { flowId: flow.id });
    ctx.services.metrics.flowsStarted.inc({ flow: 'registration' });
  }

  function newFlow(accountId: string, ownerId: string, chatId: string, fields: Partial<Flow>): Flow {
    const now = clock.now();
    return {
      id: randomUUID(),
      accountId,
      ownerId,
      chatId,
      cardId: null,
      step: 'type',
      version: 1,
      draft: {},
      entered: {},
      errors: {},
      notice: '',
      returnToReview: false,
      status: 'active',
      clientId: null,
      createdAt: now,
      updatedAt: now,
      ...fields,
    };
  }

  /** Stores a new form, then posts its card. */
  async function openForm({ client, installation }: TurnContext, flow: Flow) {
    const { chatId } = flow;
    // Stored before its card is posted: a card is never out there for a form nobody kept. If the
    // card's id cannot be stored afterwards, the first click on it adopts it (see applyClick).
    await flows.put(flow.id, { ...flow, cardVersion: flow.version });
    let cardId: string;
    try {
      ({ id: cardId } = await client.postCard(chatId, flowCard(flow, viewCtx(installation.botId))));
    } catch (err) {
      await flows.delete(flow.id).catch(() => undefined); // otherwise "create app" finds it and posts it again
      throw err;
    }
    await flows.update(flow.id, (cur) => (cur && cur.cardId === null ? { ...cur, cardId } : undefined));
  }

  async function resumeCommand(ctx: TurnContext, message: IncomingMessage) {
    await settleRegisteringOf(ctx, ctx.installation.accountId, message.personId);
    const existing = await activeFlowOf(ctx.installation.accountId, message.personId);
    if (!existing || isExpired(existing)) {
      if (existing) await expire(ctx.client, existing);
      const start = sayHint('create app', message);
      await ctx.client.postText(message.chatId, existing ? `Your unfinished registration expired, so there is nothing to resume. Just ${start} to start again.` : `You have no registration in progress. Just ${start} to start one.`);
      return;
    }
    const chatId = await directChatFor(ctx, message, 'continue');
    await repost(ctx, existing, chatId, '');
  }

  async function cancelCommand(ctx: TurnContext, message: IncomingMessage) {
    await settleRegisteringOf(ctx, ctx.installation.accountId, message.personId);
    const existing = await activeFlowOf(ctx.installation.accountId, message.personId);
    if (!existing) {
      await ctx.client.postText(message.chatId, 'You have no registration in progress, so there is nothing to cancel.');
      return;
    }
    const { after } = await flows.update(existing.id, (cur) => (cur?.status === 'active' ? { ...cur, status: 'cancelled', version: cur.version + 1, updatedAt: clock.now() } : undefined));
    let drawn = false;
    if (after?.status === 'cancelled' && after.version === existing.version + 1 && existing.cardId) {
      drawn = await drawCard(ctx.client, after, closedCard('cancelled', '', after.editing)).then(
        () => true,
        (err: unknown) => (ctx.log.warn('drawing the cancelled form failed', { flowId: existing.id, err }), false),
      );
    }
    // The form's card now says it was cancelled and how to start again: in the chat where it stands
    // that is the answer, said once. Elsewhere (a team), or when the card could not change, in words.
    if (drawn && existing.chatId === message.chatId) return;
    await ctx.client.postText(
      message.chatId,
      existing.editing ? `Cancelled: nothing was changed.` : `Cancelled: nothing was registered. Whenever you want to start again, just ${sayHint('create app', message)}.`,
    );
  }

  /** What a click on a form that is gone or closed should do next: resume the open one, else start one. */
  async function nextStepFor(accountId: string, personId: string): Promise<string> {
    const open = await activeFlowOf(accountId, personId);
    return open && !isExpired(open) ? 'You have a registration open: type **resume** to bring up its latest card.' : 'Type **create app** to start a new registration.';
  }

  async function onFlowClick(ctx: SubmitContext): Promise<SubmitReply> {
    const data = ctx.submit.data;
    const flowId = typeof data.flowId === 'string' ? data.flowId : '';
    const flow = flowId ? await flows.get(flowId) : undefined;
    if (!flow) return noticeDialog('This form is no longer available', await nextStepFor(ctx.installation.accountId, ctx.personId));
    if (ctx.personId !== flow.ownerId) {
      ctx.log.warn('flow click by someone else refused', { flowId });
      return noticeDialog('This form is not yours', 'Only the person who started this registration can fill it in. Type **create app** to register an app of your own.');
    }
    return personLock.run(personKey(flow.accountId, flow.ownerId), () => applyClick(ctx, flow.id));
  }

  /** Applies one click to the flow as it is now (read under the person's lock). */
  async function applyClick(ctx: SubmitContext, flowId: string): Promise<SubmitReply> {
    await recorded(flowId);
    let flow = await flows.get(flowId);
    if (flow?.status === 'registering') {
      // Nobody is working on it (we hold the owner's lock): a leftover, finished or undone first.
      await recoverSubmit(ctx, flow);
      flow = await flows.get(flowId);
    }
    if (!flow) return noticeDialog('This form is no longer available', await nextStepFor(ctx.installation.accountId, ctx.personId));
    if (flow.cardId === null && ctx.cardId) {
      // The card was posted but its id never stored (a crash or a failed write): this click names it.
      const cardId = ctx.cardId;
      flow = (await flows.update(flow.id, (cur) => (cur && cur.cardId === null ? { ...cur, cardId } : undefined))).after ?? flow;
    }
    const data = ctx.submit.data;
    const onItsCard = !ctx.cardId || !flow.cardId || ctx.cardId === flow.cardId;
    if (onItsCard && lags(flow) && String(data.version) === String(flow.cardVersion)) {
      // The last click was stored but its card never changed (a crash or a failed update): show
      // what was stored rather than calling this card out of date with no newer one to use.
      await drawCard(ctx.client, flow, cardFor(flow, ctx.installation.botId));
      return noticeDialog('Your form was brought up to date', 'Your last answer was saved, but the card had not caught up with it. It now shows where you are: please check it and carry on from there.');
    }
    if (flow.status !== 'active') {
      const saved = flow.editing ? 'These changes were already saved; nothing more was changed.' : 'This app was already registered; nothing was changed.';
      const done = flow.status === 'submitted' || flow.status === 'registering' ? saved : 'Nothing was changed.';
      return noticeDialog('This form is closed', `${done} ${await nextStepFor(flow.accountId, flow.ownerId)}`);
    }
    if (isExpired(flow)) {
      await expire(ctx.client, flow);
      return noticeDialog('This form expired', flow.editing ? 'Nothing was changed.' : 'Nothing was registered. Type **create app** to start again.');
    }
    if (String(data.version) !== String(flow.version) || !onItsCard) return movedOnDialog();
    // An app's own name is no clash with itself when it is being edited.
    const existing = (await registry.listByOwner(flow.accountId, flow.ownerId)).filter((a) => a.clientId !== flow.editing?.clientId);
    const result = transition(
      flow,
      { action: data.action as FlowAction, section: typeof data.section === 'string' ? data.section : undefined, inputs: data },
      { existingAppNames: existing.map((a) => a.appName), allowNotificationAddins: config.allowNotificationAddins, catalog, now: clock.now() },
    );
    if (result.outcome === 'stale') return movedOnDialog();
    if (result.outcome === 'submit') return submit(ctx, flow, result.flow, result.draft);

    // Stored first, shown second; cardVersion records that the card still shows the old version.
    const next: Flow = { ...result.flow, cardVersion: flow.version };
    const { before } = await flows.update(flow.id, (cur) => (cur && cur.version === flow.version && cur.status === 'active' ? next : undefined));
    if (!before || before.version !== flow.version || before.status !== 'active') return movedOnDialog();
    services.checkpoint('click:stored');
    try {
      await drawCard(ctx.client, next, result.outcome === 'render' ? flowCard(next, viewCtx(ctx.installation.botId)) : closedCard('cancelled', '', next.editing));
    } catch (err) {
      // The answer stays saved. An update that failed may still have landed (a timeout), so the card
      // shows either version; a click on either works (the old one is brought up to date first).
      ctx.log.error('drawing the form failed; its card may lag', { flowId: flow.id, err });
      return noticeDialog('Saved, but the card did not change', 'Your answer was saved, but RingCentral did not update the form just now. Click again in a moment and it will show where you are.');
    }
    return;
  }

  async function submit(ctx: SubmitContext, flow: Flow, submitted: Flow, draft: Parameters<typeof issuer.issue>[2]): Promise<SubmitReply> {
    // Checked here, under the person's lock and before anything is stored: the quota counts what exists now.
    const refusal = await gate?.refusal(ctx, { personId: flow.ownerId, kind: flow.editing ? 'edit' : 'register', newRequests: await newRequestsOf(flow, draft) });
    if (refusal) return noticeDialog(flow.editing ? 'Not saved' : 'Not registered', `${refusal} Your form is kept as it is.`);
    if (flow.editing) return saveEdit(ctx, flow, submitted, draft);
    const registering: Flow = {
      ...submitted,
      status: 'registering',
      issuing: { clientId: newClientId(), hideAt: clock.now() + config.secretRevealSeconds * 1000 },
      cardVersion: flow.version,
    };
    const { before } = await flows.update(flow.id, (cur) => (cur && cur.version === flow.version && cur.status === 'active' ? registering : undefined));
    if (!before || before.version !== flow.version || before.status !== 'active') return movedOnDialog();
    services.checkpoint('submit:stored');
    try {
      await issuer.issue(ctx, registering, draft);
    } catch (err) {
      if (err instanceof RegistrationUndone) return noticeDialog('Nothing was registered', UNDONE_NOTICE);
      throw err;
    }
    return;
  }

  /** How many approval requests submitting this form would file: scopes that need approval, and going public. */
  async function newRequestsOf(flow: Flow, draft: Parameters<typeof issuer.issue>[2]): Promise<number> {
    if (!flow.editing) return (catalog.split(draft.scopes ?? []).needsApproval.length > 0 ? 1 : 0) + (draft.access === 'public' ? 1 : 0);
    const app = await registry.get(flow.editing.clientId);
    if (!app) return 0;
    const edit = applyEdit(app, draft, catalog, flow.id, clock.now()).lastEdit;
    return (edit?.pending.length ? 1 : 0) + (edit?.reviewAsked ? 1 : 0);
  }

  /** Saves an edit: stored 'registering' first (a second click finds it closed), then applied (edit-app.ts). */
  async function saveEdit(ctx: SubmitContext, flow: Flow, submitted: Flow, draft: Parameters<typeof editor.save>[2]): Promise<SubmitReply> {
    const saving: Flow = { ...submitted, status: 'registering', cardVersion: flow.version };
    const { before } = await flows.update(flow.id, (cur) => (cur && cur.version === flow.version && cur.status === 'active' ? saving : undefined));
    if (!before || before.version !== flow.version || before.status !== 'active') return movedOnDialog();
    services.checkpoint('edit:stored');
    const outcome = await editor.save(ctx, saving, draft);
    if (outcome === 'undone') return noticeDialog('Nothing was changed', EDIT_UNDONE_NOTICE);
    return;
  }

  /** The client for an installation, or undefined when the account is gone. */
  async function contextFor(installation: Installation | undefined): Promise<TurnContext | undefined> {
    if (!installation) return undefined;
    return { services, installation, client: await installations.client(installation), log };
  }

  /**
   * Finishes what a crash interrupted: registrations stuck 'registering' are finished or undone,
   * and cards that lag their flow are drawn again. Runs at start-up and with every sweep; each flow
   * under its owner's lock, so work in progress in this process is never taken for a leftover.
   */
  /**
   * Finishes what a crash interrupted: registrations stuck 'registering' are finished or undone,
   * and cards that lag their flow (or may have been overwritten by a late update) are drawn again.
   * Runs at start-up and with every sweep; each flow under its owner's lock, so work in progress in
   * this process is never taken for a leftover.
   */
  async function recover(): Promise<void> {
    const needsWork = (f: Flow) => f.status === 'registering' || lags(f) || redrawDue(f);
    // Only what needs work is read: registrations left open, and cards due to be drawn again.
    const candidates = [...(await flows.find('status', 'registering')), ...(await flows.due('redraw', clock.now()))];
    for (const listed of candidates) {
      if (!needsWork(listed)) continue;
      await personLock
        .run(personKey(listed.accountId, listed.ownerId), async () => {
          const flow = await flows.get(listed.id);
          if (!flow || !needsWork(flow)) return;
          const ctx = await contextFor(await installations.get(flow.accountId));
          if (!ctx) return;
          if (flow.status === 'registering') {
            const outcome = await recoverSubmit(ctx, flow);
            log.info('interrupted registration recovered', { flowId: flow.id, outcome });
          } else if (flow.cardId) {
            await redraw(ctx, flow);
          }
        })
        .catch((err: unknown) => log.error('recovering a registration failed; will retry', { flowId: listed.id, err }));
    }
  }

  /** Expires abandoned forms and recovers interrupted ones (run periodically and at start-up). */
  async function sweep(): Promise<void> {
    await recover();
    for (const flow of await flows.due('activeSince', clock.now() - expireMs)) {
      if (flow.status !== 'active' || !isExpired(flow)) continue;
      const ctx = await contextFor(await installations.get(flow.accountId));
      if (!ctx) continue;
      await personLock
        .run(personKey(flow.accountId, flow.ownerId), async () => {
          const current = await flows.get(flow.id);
          if (current?.status === 'active' && isExpired(current)) await expire(ctx.client, current);
        })
        .catch((err: unknown) => log.error('expiring a form failed', { flowId: flow.id, err }));
    }
  }

  const edit = editEntryPoints({
    registry,
    personLock,
    personKey,
    serialised,
    isExpired,
    formWords,
    settleRegisteringOf,
    activeFlowOf,
    repost,
    expire,
    directChatFor,
    open: (ctx, accountId, ownerId, chatId, fields) => openForm(ctx, newFlow(accountId, ownerId, chatId, fields)),
  });
  const commands: Command[] = [
    { words: ['create app', 'new app', 'register app', 'create an app', 'register an app'], summary: 'register a new RingCentral app and get its credentials in a private message.', run: serialised(startCommand) },
    { words: ['resume', 'continue'], summary: 'show your unfinished registration again.', run: serialised(resumeCommand) },
    { words: ['cancel', 'stop'], summary: 'drop your unfinished registration or edit.', run: serialised(cancelCommand) },
    edit.command,
  ];
  const submitHandlers = new Map<string, SubmitHandler>([...FLOW_ACTIONS.map((a): [string, SubmitHandler] => [a, onFlowClick]), ['edit-app', edit.onClick]]);
  return { commands, submitHandlers, sweep, recover, reveals };
}
