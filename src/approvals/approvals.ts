import { randomUUID } from 'node:crypto';
import type { Services, TurnContext } from '../bot/context.js';
import { noticeDialog } from '../bot/dialogs.js';
import type { SubmitContext, SubmitHandler, SubmitReply } from '../bot/handle-submit.js';
import { personName } from '../bot/person-name.js';
import { plainText, visibleText } from '../cards/plain-text.js';
import { namedLock } from '../store/named-lock.js';
import type { ChatClient } from '../platform/chat-client.js';
import type { Installation } from '../platform/installations.js';
import { distributionOf, holdsName, type AppRecord, type AppRegistry } from '../registry/app-records.js';
import type { ScopeCatalog } from '../registry/scope-catalog.js';
import { approvalCommands, type OpenAccessRequest } from './approval-commands.js';
import { isPublicReview, OUTCOME_WORDS, outcomeOf, utc, type ApprovalRequest, type Effect } from './approval-request.js';
import { createFollowUps, SETTLED_EFFECTS } from './follow-ups.js';
import { requestCard, statusCard } from './approval-views.js';
import { publicReviewCard } from './public-review-views.js';
import { createAuditLog } from './audit-log.js';

/**
 * Admin approvals: requests for scopes that need approval are posted as cards to ADMIN_CHAT_ID,
 * decided there by an admin (checked against ADMIN_IDS when the click arrives, never against the
 * card's data), raised again, expired, and audited.
 * Every change of a request's state is one conditional store update, so a decision, a reminder
 * and an expiry racing each other leave exactly one outcome.
 */
export interface ApprovalsOptions {
  services: Services;
  catalog: ScopeCatalog;
  registry: AppRegistry;
  /** Why a person may not file `adding` more requests now (MAX_OPEN_REQUESTS, src/access/), or undefined. */
  openRequestsRefusal?: (accountId: string, personId: string, adding: number) => Promise<string | undefined>;
  /** The account's open requests for permission to register (src/access/): `pending` lists them too. */
  openAccessRequests?: (accountId: string) => Promise<OpenAccessRequest[]>;
}

export function createApprovals({ services, catalog, registry, openRequestsRefusal, openAccessRequests }: ApprovalsOptions) {
  const { store, clock, config, installations, log } = services;
  const requests = store.collection<ApprovalRequest>('approvals');
  const audit = createAuditLog(store, clock);
  const remindMs = config.approvalRemindHours * 3600_000;
  const expireMs = config.approvalExpireDays * 86_400_000;
  const followUps = createFollowUps({ services, registry, requests, audit });
  const appLock = namedLock(store, 'app'); // one filing at a time per app ("Ask again" clicked twice)
  const personLock = namedLock(store, 'person'); // the registration's lock: a person's filings one at a time

  const isOverdue = (r: ApprovalRequest) => clock.now() - r.requestedAt >= expireMs;

  /** Posts the request card to the admin chat as configured now; null when there is none. */
  async function postToAdmins(client: ChatClient, r: ApprovalRequest, botId: string, notice?: string): Promise<{ chatId: string; cardId: string } | null> {
    const chatId = config.adminChatId;
    if (!chatId) return null;
    const app = await registry.get(r.clientId);
    const requesterName = await personName(client, r.requesterId);
    const card =
      isPublicReview(r) && app
        ? publicReviewCard(r, app, { botId, catalog, requesterName, ...(notice ? { notice } : {}) })
        : requestCard(r, { botId, catalog, requesterName, ...(notice ? { notice } : {}), ...(app ? { app } : {}) });
    return { chatId, cardId: (await client.postCard(chatId, card)).id };
  }

  async function file(
    ctx: TurnContext,
    input: Pick<ApprovalRequest, 'clientId' | 'appName' | 'appType' | 'requesterId' | 'scopes' | 'justification' | 'credentialsCardId'> & Pick<Partial<ApprovalRequest>, 'kind'>,
    effects: Effect[] = [],
  ) {
    const now = clock.now();
    const r: ApprovalRequest = { id: randomUUID(), accountId: ctx.installation.accountId, ...input, status: 'open', requestedAt: now, raisedAt: now, adminChatId: null, cardId: null, decision: null, effects };
    await requests.put(r.id, r);
    // Filed: what the filing still owes the app is finished now, or by the sweep.
    if (effects.length) await followUps.settle(ctx.installation, ctx.client, r.id).catch((err: unknown) => log.error('finishing a filing failed; the sweep will', { requestId: r.id, err }));
    await audit.append({ event: isPublicReview(r) ? 'public-review-requested' : 'requested', clientId: r.clientId, appName: r.appName, requestId: r.id, actorId: r.requesterId, subjectId: r.requesterId, scopes: r.scopes, reason: null });
    try {
      const posted = await postToAdmins(ctx.client, r, ctx.installation.botId);
      if (!posted) throw new Error('ADMIN_CHAT_ID is not set');
      await requests.update(r.id, (cur) => cur && { ...cur, adminChatId: posted.chatId, cardId: posted.cardId });
    } catch (err) {
      // Kept open: the sweep posts it once the admin channel can be reached.
      log.error('approval request could not be posted to the admin chat', { requestId: r.id, err });
      const chatId = await ctx.client.openDirect(r.requesterId);
      await ctx.client.postText(
        chatId,
        `Your request for ${isPublicReview(r) ? `${plainText(r.appName)} to go public` : r.scopes.join(', ')} is recorded, but I could not post it to the admins' channel yet (it is ${config.adminChatId ? 'not reachable' : 'not set up'}). I will keep trying; you may want to tell the person who runs Registrar.`,
      );
    }
    return r;
  }

  /**
   * Files the request for a new app's pending scopes. Idempotent: scopes any request of the app
   * already covers are not asked for again, so finishing an interrupted registration can call it safely.
   * `credentialsCardId` is the requester's credentials card: the decision draws its outcome there.
   */
  async function onRegistered(ctx: TurnContext, app: AppRecord, credentialsCardId?: string) {
    await fileScopes(ctx, app, credentialsCardId);
    await reviewPublic(ctx, app);
  }

  async function fileScopes(ctx: TurnContext, app: AppRecord, credentialsCardId?: string) {
    // Any request, decided ones too: a rejection stands, and only "ask again" raises an expired one.
    const covered = new Set((await requests.find('client', app.clientId)).flatMap((r) => r.scopes));
    const scopes = app.pendingScopes.filter((s) => !covered.has(s));
    if (scopes.length === 0) return;
    await file(ctx, {
      clientId: app.clientId,
      appName: app.appName,
      appType: app.appType,
      requesterId: app.ownerId,
      scopes,
      justification: app.justification ?? '',
      credentialsCardId: credentialsCardId ?? null,
    });
  }

  /**
   * Files a request for scopes an edit added that need approval (they are already pending on the
   * app). A request already open for the app is left as the admins see it: the new scopes get a
   * request of their own. Idempotent: scopes an open request covers, or no longer pending (decided,
   * or removed again), are not asked for, so finishing an interrupted edit can call it safely.
   */
  async function requestScopes(ctx: TurnContext, app: AppRecord, scopes: string[], justification: string) {
    await appLock.run(app.clientId, async () => {
      const current = await registry.get(app.clientId);
      if (!current) return;
      const all = await requests.find('client', app.clientId);
      const covered = new Set(all.filter((r) => r.status === 'open').flatMap((r) => r.scopes));
      const wanted = scopes.filter((s) => current.pendingScopes.includes(s) && !covered.has(s));
      if (wanted.length === 0) return;
      // The decision redraws the app's credentials card, where an earlier request kept its id.
      const last = all.filter((r) => r.credentialsCardId).sort((a, b) => b.requestedAt - a.requestedAt)[0];
      await file(ctx, {
        clientId: current.clientId,
        appName: current.appName,
        appType: current.appType,
        requesterId: current.ownerId,
        scopes: wanted,
        justification,
        credentialsCardId: last?.credentialsCardId ?? null,
      });
    });
  }

  /**
   * A public app waits for an admin's review before it goes public: files the review while the app
   * is held and none is waiting (registration, an edit that made it public), and closes a waiting
   * one when the app no longer needs it (made private). Idempotent, so finishing an interrupted
   * registration or edit can call it safely. An expired review is not filed again here: the owner
   * asks again from its outcome card.
   */
  async function reviewPublic(ctx: TurnContext, app: AppRecord) {
    await appLock.run(app.clientId, async () => {
      const current = await registry.get(app.clientId);
      if (!current || !holdsName(current)) return;
      const reviews = (await requests.find('client', current.clientId)).filter(isPublicReview);
      const open = reviews.filter((r) => r.status === 'open');
      if (distributionOf(current) !== 'held') {
        for (const r of open) await withdraw(ctx.installation, ctx.client, r, 'made-private');
        return;
      }
      const heldSince = Date.parse(current.publicReview!.at);
      const latest = [...reviews].sort((a, b) => b.requestedAt - a.requestedAt)[0];
      if (open.length > 0) return; // already with the admins
      if (reviews.some((r) => r.effects?.includes('app'))) return; // decided, the app about to follow: no second review
      // Expired during this hold: the owner asks again from the outcome card; a review that expired
      // before the app was made private and public again belongs to an earlier hold.
      if (latest?.status === 'expired' && latest.requestedAt >= heldSince) return;
      await file(ctx, { kind: 'public', clientId: current.clientId, appName: current.appName, appType: current.appType, requesterId: current.ownerId, scopes: [], justification: '', credentialsCardId: null });
    });
  }

  /**
   * An app changed hands: its open requests become the new owner's (theirs to count against
   * MAX_OPEN_REQUESTS, theirs to be told the outcome of, and not theirs to decide). Each is one
   * conditional update, and the whole is idempotent: the hand-over calls it before it counts as
   * finished, so a crash in between is finished at start-up (lifecycle's recover). The admins'
   * card is drawn again with the new owner, best effort (the decision redraws it anyway).
   */
  async function moveRequestsOf(client: ChatClient, botId: string, clientId: string, ownerId: string): Promise<void> {
    for (const r of await requests.find('client', clientId)) {
      if (r.status !== 'open' || r.requesterId === ownerId) continue;
      const { after } = await requests.update(r.id, (cur) => (cur?.status === 'open' && cur.requesterId !== ownerId ? { ...cur, requesterId: ownerId } : undefined));
      if (!after?.cardId) continue;
      const app = await registry.get(clientId);
      const requesterName = await personName(client, ownerId);
      const notice = `${plainText(requesterName)} owns this app now (it was handed over): they are the requester, so another admin decides.`;
      const card = isPublicReview(after) && app
        ? publicReviewCard(after, app, { botId, catalog, requesterName, notice })
        : requestCard(after, { botId, catalog, requesterName, notice, ...(app ? { app } : {}) });
      await client.updateCard(after.cardId, card).catch((err: unknown) => log.warn('redrawing a handed-over request failed', { requestId: r.id, err }));
    }
  }

  /** How many approval requests a person has waiting (MAX_OPEN_REQUESTS counts them). */
  async function openCountOf(accountId: string, personId: string): Promise<number> {
    return (await requests.find('openBy', `${accountId}:${personId}`)).filter((r) => r.status === 'open').length;
  }

  /**
   * Who may decide: the people in ADMIN_IDS, never the requester nor the app's owner now (after a
   * hand-over they differ until the request moves, and either deciding would be deciding their own
   * request). Not the admin chat's members: nothing says RingCentral lists a team's members
   * completely (contract appendix "Team members").
   */
  async function refusalFor(ctx: SubmitContext, r: ApprovalRequest): Promise<string | null> {
    const app = await registry.get(r.clientId);
    const involved = new Set([r.requesterId, ...(app ? [app.ownerId] : [])]);
    if (involved.has(ctx.personId)) {
      const why = ctx.personId === r.requesterId
        ? (isPublicReview(r) ? 'You asked for this app to go public' : 'You asked for these scopes')
        : 'This app is yours now';
      const others = config.adminIds.filter((id) => !involved.has(id));
      // A lone admin's own request: "another admin" would be a dead end without saying how to get one.
      if (others.length === 0) {
        return `${why}, and nobody decides their own request. There is no other Registrar admin to decide it: add a second admin's person id to ADMIN_IDS (and restart Registrar), and they can decide it here. Until then ${isPublicReview(r) ? 'the app keeps working privately' : 'the scopes stay pending'}.`;
      }
      return `${why}, so another admin has to decide.`;
    }
    if (config.adminIds.length === 0) return 'No Registrar admins are set up (ADMIN_IDS), so nobody can decide this request yet.';
    return config.adminIds.includes(ctx.personId) ? null : 'Only Registrar admins can decide approval requests.';
  }

  /** Expires an open request (at most once): scopes leave "pending", the card and the requester are told. */
  async function expire(installation: Installation, client: ChatClient, r: ApprovalRequest): Promise<boolean> {
    const { before, after } = await requests.update(r.id, (cur) => (cur?.status === 'open' ? { ...cur, status: 'expired', effects: [...SETTLED_EFFECTS] } : undefined));
    if (before?.status !== 'open' || !after) return false;
    await followUps.settle(installation, client, r.id).catch((err: unknown) => log.error('finishing an expiry failed; the sweep will', { requestId: r.id, err }));
    return true;
  }

  function chosenScopes(raw: unknown): string[] {
    const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : [];
    return [...new Set(list.map((s) => s.trim()).filter(Boolean))];
  }

  async function onDecision(ctx: SubmitContext): Promise<SubmitReply> {
    const data = ctx.submit.data;
    const r = typeof data.requestId === 'string' ? await requests.get(data.requestId) : undefined;
    if (!r || r.accountId !== ctx.installation.accountId) return noticeDialog('Request not found', 'This approval request no longer exists.');
    const refusal = await refusalFor(ctx, r);
    if (refusal) {
      await audit.append({ event: 'refused', clientId: r.clientId, appName: r.appName, requestId: r.id, actorId: ctx.personId, scopes: r.scopes, reason: refusal });
      ctx.log.warn('approval click refused', { requestId: r.id });
      return noticeDialog('You cannot decide this request', refusal);
    }
    const closed = async (cur: ApprovalRequest) =>
      cur.status === 'withdrawn'
        ? noticeDialog('This request was closed', `${cur.withdrawnBecause === 'made-private' ? 'Its owner made the app private' : 'The app was deleted'}, so there is nothing to decide. Nothing was changed.`)
        : cur.decision
        ? noticeDialog('Already decided', `${OUTCOME_WORDS[outcomeOf(cur.decision)]} by ${plainText(await personName(ctx.client, cur.decision.by))} at ${utc(cur.decision.at)}. Nothing was changed.`)
        : noticeDialog('This request expired', 'Nothing was changed. The requester can ask again.');
    if (r.status !== 'open') return closed(r);
    if (isOverdue(r)) {
      // Past its deadline, even if the sweep has not run yet: it expires now, undecided.
      await expire(ctx.installation, ctx.client, r);
      return closed({ ...r, status: 'expired' });
    }

    // The app was deleted (its requests not closed yet: a deletion racing this click, or its close failed): close them now.
    const app = await registry.get(r.clientId);
    if (!app || !holdsName(app)) {
      await closeRequestsOf(ctx.installation, ctx.client, r.clientId).catch((err: unknown) => ctx.log.error('closing a deleted app\'s requests failed; the sweep will', { err }));
      return closed({ ...r, status: 'withdrawn' });
    }

    let approved: string[];
    // A reason of invisible characters only is no reason: the requester would read nothing.
    const reason = typeof data.reason === 'string' && visibleText(data.reason) ? data.reason.trim().slice(0, 1000) : null;
    if (isPublicReview(r)) {
      if (distributionOf(app) !== 'held') {
        // Made private meanwhile (its close not done yet): nothing left to decide.
        await reviewPublic(ctx, app).catch((err: unknown) => ctx.log.error('closing a review failed; the next edit or decision will', { err }));
        return closed({ ...r, status: 'withdrawn', withdrawnBecause: 'made-private' });
      }
      if (data.action === 'reject' && !reason) return noticeDialog('A reason is needed', 'Please write why in the Reason field before rejecting; the requester will see it. Nothing was changed.');
      return decide(ctx, r, { by: ctx.personId, at: clock.now(), approved: [], rejected: [], reason, goesPublic: data.action !== 'reject' }, closed);
    }
    if (data.action === 'reject') {
      if (!reason) return noticeDialog('A reason is needed', 'Please write why in the Reason field before rejecting; the requester will see it. Nothing was changed.');
      approved = [];
    } else {
      // Only scopes this request asked for can be approved, whatever the submit says.
      approved = data.all === 'true' || data.all === true ? [...r.scopes] : chosenScopes(data.approvedScopes).filter((s) => r.scopes.includes(s));
      if (approved.length === 0) return noticeDialog('No scope chosen', 'Choose at least one scope to approve, or reject with a reason. Nothing was changed.');
      // A partial approval rejects the unchecked scopes: the requester is owed a reason for those too.
      if (approved.length < r.scopes.length && !reason) {
        return noticeDialog('A reason is needed', 'The unchecked scopes are rejected. Please write why in the Reason field; the requester will see it. Nothing was changed.');
      }
    }
    const decision = { by: ctx.personId, at: clock.now(), approved, rejected: r.scopes.filter((s) => !approved.includes(s)), reason };
    return decide(ctx, r, decision, closed);
  }

  /** Stores a decision on an open request (the first wins), then carries out what it owes. */
  async function decide(ctx: SubmitContext, r: ApprovalRequest, decision: NonNullable<ApprovalRequest['decision']>, closed: (cur: ApprovalRequest) => Promise<SubmitReply>): Promise<SubmitReply> {
    // The decision and the list of what it still owes are one write: the commit point.
    const { before, after } = await requests.update(r.id, (cur) => (cur?.status === 'open' ? { ...cur, status: 'decided', decision, effects: [...SETTLED_EFFECTS] } : undefined));
    if (!before || before.status !== 'open' || !after) return closed(after ?? before ?? r);
    ctx.log.info('approval decided', { requestId: r.id, outcome: outcomeOf(decision) });
    // From the request (not from its last reminder) to the decision, on the bot's clock.
    services.metrics.approvalSeconds.observe({ outcome: outcomeOf(decision) }, Math.max(0, (decision.at - r.requestedAt) / 1000));
    services.checkpoint('approval:decided'); // crash tests: the decision is stored, none of its effects done
    // Decided: whatever fails from here is finished by the sweep, never reported as "not saved".
    await followUps.settle(ctx.installation, ctx.client, r.id).catch((err: unknown) => ctx.log.error('finishing a decision failed; the sweep will', { requestId: r.id, err }));
    return undefined;
  }

  async function onAskAgain(ctx: SubmitContext): Promise<SubmitReply> {
    const clientId = typeof ctx.submit.data.clientId === 'string' ? ctx.submit.data.clientId : '';
    const publicReview = ctx.submit.data.kind === 'public';
    // The person's lock first (as registrations and edits take it), then the app's: the open-request
    // quota is counted with no other filing of theirs in between.
    return personLock.run(`${ctx.installation.accountId}:${ctx.personId}`, () =>
      appLock.run(clientId, async () => {
      const app = await registry.get(clientId);
      if (!app || app.accountId !== ctx.installation.accountId || app.ownerId !== ctx.personId) return noticeDialog('Not your app', `Only the app's owner can ask for ${publicReview ? 'its review' : 'its scopes'} again.`);
      if (!holdsName(app)) return noticeDialog('This app was deleted', 'Nothing was asked for: a deleted app cannot gain scopes.');
      const quota = await openRequestsRefusal?.(ctx.installation.accountId, ctx.personId, 1);
      if (quota) return noticeDialog('Not asked again', quota);
      const all = (await requests.find('client', clientId)).filter((x) => isPublicReview(x) === publicReview);
      if (publicReview) {
        if (all.some((x) => x.status === 'open')) return noticeDialog('Already waiting', 'The review of this app is already waiting for the admins.');
        const lastReview = all.sort((a, b) => b.requestedAt - a.requestedAt)[0];
        if (distributionOf(app) !== 'held' || lastReview?.status !== 'expired') return noticeDialog('Nothing to ask for', 'This app has no expired review to raise again.');
        await file(ctx, { kind: 'public', clientId, appName: app.appName, appType: app.appType, requesterId: app.ownerId, scopes: [], justification: '', credentialsCardId: null });
        return noticeDialog('Asked again', `The review of ${plainText(app.appName)} going public is back with the admins. Until they approve it, it works privately. I will tell you when they decide.`);
      }
      if (all.some((x) => x.status === 'open')) return noticeDialog('Already waiting', 'A request for this app is already waiting for the admins.');
      const last = all.sort((a, b) => b.requestedAt - a.requestedAt)[0];
      // Only what expired undecided can be asked for again; a rejection stands.
      const scopes = (last?.status === 'expired' ? last.scopes : []).filter((s) => !app.grantedScopes.includes(s));
      if (scopes.length === 0) return noticeDialog('Nothing to ask for', 'This app has no expired scope request to raise again.');
      // The request and its effect on the app are one write; the app follows (now, or by the sweep).
      // The credentials card turns back to "Awaiting approval" with the app's scopes.
      await file(
        ctx,
        { clientId, appName: app.appName, appType: app.appType, requesterId: app.ownerId, scopes, justification: last?.justification ?? '', credentialsCardId: last?.credentialsCardId ?? null },
        ['app', 'credentials'],
      );
      return noticeDialog('Asked again', `Your request for ${scopes.join(', ')} is back with the admins. I will tell you when they decide.`);
      }),
    );
  }

  /** Posts a request again (first time, or as a reminder), claiming the reminder first so only one sweep does it. */
  async function raise(installation: Installation, client: ChatClient, r: ApprovalRequest, now: number) {
    if (!config.adminChatId) return; // nowhere to raise it; the requester was told when it was filed
    const due = (cur: ApprovalRequest) => cur.status === 'open' && (cur.cardId === null || cur.adminChatId !== (config.adminChatId ?? null) || now - cur.raisedAt >= remindMs);
    const { before } = await requests.update(r.id, (cur) => (cur && due(cur) ? { ...cur, raisedAt: now } : undefined));
    if (!before || !due(before)) return;
    const hours = Math.floor((now - r.requestedAt) / 3600_000);
    const notice = before.cardId ? `Reminder: this request has been waiting for ${hours} hour${hours === 1 ? '' : 's'}.` : undefined;
    const posted = await postToAdmins(client, before, installation.botId, notice).catch((err: unknown) => {
      log.error('raising an approval request failed; will retry', { requestId: r.id, err });
      return null;
    });
    if (!posted) {
      await requests.update(r.id, (cur) => cur && { ...cur, raisedAt: before.raisedAt }); // not raised: try again next sweep
      return;
    }
    const { after } = await requests.update(r.id, (cur) => (cur?.status === 'open' ? { ...cur, adminChatId: posted.chatId, cardId: posted.cardId } : undefined));
    const requesterName = await personName(client, r.requesterId);
    if (after?.cardId !== posted.cardId) {
      // Decided (or expired) before the new card took over: it shows the outcome; the old card already does.
      const current = await requests.get(r.id);
      if (current) await client.updateCard(posted.cardId, statusCard(current, { requesterName })).catch(() => undefined);
      return;
    }
    if (before.cardId) {
      await client.updateCard(before.cardId, statusCard(before, { requesterName, raisedAgain: true })).catch(() => undefined);
      await audit.append({ event: 'reminded', clientId: r.clientId, appName: r.appName, requestId: r.id, actorId: null, scopes: r.scopes, reason: null });
    }
    // A decision that landed after the switch updated the new card itself; make sure it shows.
    const current = await requests.get(r.id);
    if (current && current.status !== 'open') await client.updateCard(posted.cardId, statusCard(current, { requesterName })).catch(() => undefined);
  }

  /** Finishes changes that still owe something, raises long-open (or never posted) requests and expires old ones; runs periodically and at start-up. */
  let sweptOnce = false;
  async function sweep() {
    await followUps.settleAll();
    const now = clock.now();
    // Only what is due is read: never posted or due a reminder, and past the expiry deadline. The
    // first sweep after start-up also looks at every open request (ADMIN_CHAT_ID may have changed).
    const due = new Map<string, ApprovalRequest>();
    for (const r of [...(await requests.due('raise', now - remindMs)), ...(await requests.due('openSince', now - expireMs))]) due.set(r.id, r);
    if (!sweptOnce) for (const inst of await installations.list()) for (const r of await requests.find('open', inst.accountId)) due.set(r.id, r);
    sweptOnce = true;
    for (const r of due.values()) {
      if (r.status !== 'open') continue;
      const installation = await installations.get(r.accountId);
      if (!installation) continue;
      try {
        const client = await installations.client(installation);
        const app = await registry.get(r.clientId);
        // Its app was deleted (a crash came between the deletion and closing its requests): closed, not raised.
        if (app && !holdsName(app)) await closeRequestsOf(installation, client, r.clientId);
        else if (isOverdue(r)) await expire(installation, client, r);
        else await raise(installation, client, r, now);
      } catch (err) {
        log.error('approval reminder or expiry failed; will retry', { requestId: r.id, err });
      }
    }
  }

  /**
   * Closes an app's open requests undecided because the app was deleted: each is one conditional
   * update listing what it still owes (the admin card says so, the app's pending scopes go), so a
   * decision racing it leaves one outcome. Idempotent; the sweep finishes what fails.
   */
  async function closeRequestsOf(installation: Installation, client: ChatClient, clientId: string): Promise<void> {
    for (const r of await requests.find('client', clientId)) {
      if (r.status === 'open') await withdraw(installation, client, r, 'deleted');
    }
  }

  /** Closes one open request undecided; one conditional update, so a decision racing it leaves one outcome. */
  async function withdraw(installation: Installation, client: ChatClient, r: ApprovalRequest, because: 'deleted' | 'made-private'): Promise<void> {
    const { before } = await requests.update(r.id, (cur) => (cur?.status === 'open' ? { ...cur, status: 'withdrawn', withdrawnBecause: because, effects: ['app', 'card'] } : undefined));
    if (before?.status !== 'open') return;
    await followUps.settle(installation, client, r.id).catch((err: unknown) => log.error('closing a request failed; the sweep will', { requestId: r.id, err }));
  }

  const submitHandlers = new Map<string, SubmitHandler>([
    ['approve', onDecision],
    ['reject', onDecision],
    ['request-again', onAskAgain],
  ]);
  return { onRegistered, requestScopes, reviewPublic, openCountOf, closeRequestsOf, moveRequestsOf, commands: approvalCommands({ services, requests, audit, registry, ...(openAccessRequests ? { openAccessRequests } : {}) }), submitHandlers, sweep };
}

