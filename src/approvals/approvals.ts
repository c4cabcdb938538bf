import { randomUUID } from 'node:crypto';
import { argumentOf, type Command } from '../bot/commands.js';
import type { IncomingMessage, Services, TurnContext } from '../bot/context.js';
import { noticeDialog } from '../bot/dialogs.js';
import type { SubmitContext, SubmitHandler, SubmitReply } from '../bot/handle-submit.js';
import type { ChatClient } from '../platform/chat-client.js';
import type { AppRegistry, IssuedApp } from '../registry/app-records.js';
import type { ScopeCatalog } from '../registry/scope-catalog.js';
import { OUTCOME_WORDS, outcomeOf, utc, type ApprovalRequest } from './approval-request.js';
import { outcomeCard, requestCard, statusCard } from './approval-views.js';
import { createAuditLog, type AuditEntry } from './audit-log.js';

/**
 * Admin approvals: requests for scopes that need approval are posted as cards to ADMIN_CHAT_ID,
 * decided there by an admin (checked against ADMIN_IDS or the admin chat's members when the click
 * arrives, never against the card's data), reminded, expired, and audited.
 */
export function createApprovals({ services, catalog, registry }: { services: Services; catalog: ScopeCatalog; registry: AppRegistry }) {
  const { store, clock, config, installations, log } = services;
  const requests = store.collection<ApprovalRequest>('approvals');
  const audit = createAuditLog(store, clock);
  const remindMs = config.approvalRemindHours * 3600_000;
  const expireMs = config.approvalExpireDays * 86_400_000;

  async function nameOf(client: ChatClient, personId: string): Promise<string> {
    const p = await client.getPerson(personId).catch(() => undefined);
    const name = [p?.firstName, p?.lastName].filter(Boolean).join(' ').trim();
    return name || `person ${personId}`;
  }

  async function tellRequester(client: ChatClient, r: ApprovalRequest, botId: string, deciderName?: string) {
    const chatId = await client.openDirect(r.requesterId);
    await client.postCard(chatId, outcomeCard(r, { botId, ...(deciderName ? { deciderName } : {}) }));
  }

  /** Posts (or raises again) the request card in the admin chat. */
  async function postToAdmins(client: ChatClient, r: ApprovalRequest, botId: string, notice?: string): Promise<string | null> {
    if (!r.adminChatId) return null;
    const card = requestCard(r, { botId, catalog, requesterName: await nameOf(client, r.requesterId), ...(notice ? { notice } : {}) });
    return (await client.postCard(r.adminChatId, card)).id;
  }

  async function file(ctx: TurnContext, input: { clientId: string; appName: string; appType: string; requesterId: string; scopes: string[]; justification: string }) {
    const now = clock.now();
    const r: ApprovalRequest = {
      id: randomUUID(),
      accountId: ctx.installation.accountId,
      ...input,
      status: 'open',
      requestedAt: now,
      raisedAt: now,
      adminChatId: config.adminChatId ?? null,
      cardId: null,
      decision: null,
    };
    await requests.put(r.id, r);
    await audit.append({ event: 'requested', clientId: r.clientId, appName: r.appName, requestId: r.id, actorId: r.requesterId, scopes: r.scopes, reason: null });
    try {
      const cardId = await postToAdmins(ctx.client, r, ctx.installation.botId);
      if (!cardId) throw new Error('ADMIN_CHAT_ID is not set');
      await requests.update(r.id, (cur) => cur && { ...cur, cardId });
    } catch (err) {
      log.error('approval request could not be posted to the admin chat', { requestId: r.id, err });
      const chatId = await ctx.client.openDirect(r.requesterId);
      await ctx.client.postText(
        chatId,
        `Your request for ${r.scopes.join(', ')} is recorded, but I could not post it to the admins' channel. Please tell the person who runs Registrar (the admin channel is ${config.adminChatId ? 'not reachable' : 'not set up'}).`,
      );
    }
    return r;
  }

  /** Registration hook: file a request for the scopes that need approval. */
  async function onRegistered(ctx: TurnContext, issued: IssuedApp) {
    const app = issued.record;
    if (app.pendingScopes.length === 0) return;
    await file(ctx, { clientId: app.clientId, appName: app.appName, appType: app.appType, requesterId: app.ownerId, scopes: app.pendingScopes, justification: app.justification ?? '' });
  }

  /** Who may decide: ADMIN_IDS when set, else the admin chat's members as RingCentral says now. Never the requester. */
  async function refusalFor(ctx: SubmitContext, r: ApprovalRequest): Promise<string | null> {
    if (ctx.personId === r.requesterId) return 'You asked for these scopes, so another admin has to decide.';
    if (config.adminIds.length > 0) return config.adminIds.includes(ctx.personId) ? null : 'Only Registrar admins can decide approval requests.';
    if (!config.adminChatId) return 'No admin channel is set up, so nobody can decide this request yet.';
    const chat = await ctx.client.getChat(config.adminChatId);
    const member = chat.members.includes(ctx.personId) && ctx.personId !== ctx.installation.botId;
    return member ? null : 'Only members of the admin channel can decide approval requests.';
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
    const alreadyDecided = async (cur: ApprovalRequest) =>
      cur.decision
        ? noticeDialog('Already decided', `${OUTCOME_WORDS[outcomeOf(cur.decision)]} by ${await nameOf(ctx.client, cur.decision.by)} at ${utc(cur.decision.at)}. Nothing was changed.`)
        : noticeDialog('This request expired', 'Nothing was changed. The requester can ask again.');
    if (r.status !== 'open') return alreadyDecided(r);

    let approved: string[];
    const reason = typeof data.reason === 'string' && data.reason.trim() ? data.reason.trim().slice(0, 1000) : null;
    if (data.action === 'reject') {
      if (!reason) return noticeDialog('A reason is needed', 'Please write why in the Reason field before rejecting; the requester will see it. Nothing was changed.');
      approved = [];
    } else {
      // Only scopes this request asked for can be approved, whatever the submit says.
      approved = data.all === 'true' || data.all === true ? [...r.scopes] : chosenScopes(data.approvedScopes).filter((s) => r.scopes.includes(s));
      if (approved.length === 0) return noticeDialog('No scope chosen', 'Choose at least one scope to approve, or reject with a reason. Nothing was changed.');
    }
    const decision = { by: ctx.personId, at: clock.now(), approved, rejected: r.scopes.filter((s) => !approved.includes(s)), reason };
    const { before, after } = await requests.update(r.id, (cur) => (cur?.status === 'open' ? { ...cur, status: 'decided', decision } : undefined));
    if (!before || before.status !== 'open' || !after) return alreadyDecided(after ?? before ?? r);

    const outcome = outcomeOf(decision);
    await registry.update(r.clientId, (app) => ({
      ...app,
      grantedScopes: [...new Set([...app.grantedScopes, ...approved])],
      pendingScopes: app.pendingScopes.filter((s) => !r.scopes.includes(s)),
      updatedAt: new Date(decision.at).toISOString(),
    }));
    await audit.append({ event: outcome, clientId: r.clientId, appName: r.appName, requestId: r.id, actorId: ctx.personId, scopes: approved.length ? approved : r.scopes, reason });
    ctx.log.info('approval decided', { requestId: r.id, outcome });
    const [deciderName, requesterName] = await Promise.all([nameOf(ctx.client, ctx.personId), nameOf(ctx.client, r.requesterId)]);
    if (after.cardId) await ctx.client.updateCard(after.cardId, statusCard(after, { requesterName, deciderName }));
    await tellRequester(ctx.client, after, ctx.installation.botId, deciderName);
    return undefined;
  }

  async function onAskAgain(ctx: SubmitContext): Promise<SubmitReply> {
    const clientId = typeof ctx.submit.data.clientId === 'string' ? ctx.submit.data.clientId : '';
    const app = await registry.get(clientId);
    if (!app || app.accountId !== ctx.installation.accountId || app.ownerId !== ctx.personId) return noticeDialog('Not your app', 'Only the app\'s owner can ask for its scopes again.');
    const all = (await requests.list()).filter((x) => x.clientId === clientId);
    if (all.some((x) => x.status === 'open')) return noticeDialog('Already waiting', 'A request for this app is already waiting for the admins.');
    const last = all.sort((a, b) => b.requestedAt - a.requestedAt)[0];
    const scopes = (last?.status === 'expired' ? last.scopes : []).filter((s) => !app.grantedScopes.includes(s));
    if (scopes.length === 0) return noticeDialog('Nothing to ask for', 'This app has no expired scope request to raise again.');
    await registry.update(clientId, (cur) => ({ ...cur, pendingScopes: [...new Set([...cur.pendingScopes, ...scopes])] }));
    await file(ctx, { clientId, appName: app.appName, appType: app.appType, requesterId: app.ownerId, scopes, justification: last?.justification ?? '' });
    return noticeDialog('Asked again', `Your request for ${scopes.join(', ')} is back with the admins. I will tell you when they decide.`);
  }

  const inAdminChat = (m: IncomingMessage) => config.adminChatId !== undefined && m.chatId === config.adminChatId;
  const adminOnly = 'That command works in the admins\' channel only.';

  async function pendingCommand({ client }: TurnContext, m: IncomingMessage) {
    if (!inAdminChat(m)) return void (await client.postText(m.chatId, adminOnly));
    const open = (await requests.list()).filter((r) => r.status === 'open').sort((a, b) => a.requestedAt - b.requestedAt);
    if (open.length === 0) return void (await client.postText(m.chatId, 'No approval requests are waiting.'));
    const lines = await Promise.all(
      open.map(async (r, i) => `${i + 1}. **${r.appName}** by ${await nameOf(client, r.requesterId)}: ${r.scopes.join(', ')} (asked ${utc(r.requestedAt)})`),
    );
    await client.postText(m.chatId, [`${open.length} approval request${open.length === 1 ? '' : 's'} waiting, oldest first:`, ...lines].join('\n'));
  }

  const EVENT_WORDS: Record<AuditEntry['event'], string> = {
    requested: 'requested',
    approved: 'approved',
    'partially-approved': 'partly approved',
    rejected: 'rejected',
    refused: 'refused a click by',
    reminded: 'reminded the admins of',
    expired: 'expired',
  };

  const auditCommand: Command = {
    words: ['audit'],
    takesArgument: true,
    usage: 'audit <app>',
    summary: 'in the admins\' channel: the approval history of an app (by name or client ID).',
    async run({ client, installation }, m) {
      if (!inAdminChat(m)) return void (await client.postText(m.chatId, adminOnly));
      const query = argumentOf(auditCommand, m.text);
      if (!query) return void (await client.postText(m.chatId, 'Which app? Say **audit <app name or client ID>**.'));
      const app = await registry.find(query, installation.accountId);
      if (!app) return void (await client.postText(m.chatId, `I know no app called "${query}" in this account.`));
      const entries = await audit.forApp(app.clientId);
      if (entries.length === 0) return void (await client.postText(m.chatId, `**${app.appName}** has no approval history.`));
      const lines = await Promise.all(
        entries.map(async (e) => {
          const who = e.actorId ? await nameOf(client, e.actorId) : 'Registrar';
          const what = e.event === 'refused' ? `${who}: refused (${e.reason ?? ''})` : `${EVENT_WORDS[e.event]} by ${who}: ${e.scopes.join(', ')}`;
          return `• ${utc(e.at)}: ${what}${e.reason && e.event !== 'refused' ? ` (reason: ${e.reason})` : ''}`;
        }),
      );
      await client.postText(m.chatId, [`Approval history of **${app.appName}** (${app.clientId}):`, ...lines].join('\n'));
    },
  };

  /** Raises long-open requests again and expires old ones (run periodically and at start-up). */
  async function sweep() {
    const now = clock.now();
    for (const r of await requests.list()) {
      if (r.status !== 'open') continue;
      const installation = await installations.get(r.accountId);
      if (!installation) continue;
      try {
        const client = await installations.client(installation);
        const requesterName = await nameOf(client, r.requesterId);
        if (now - r.requestedAt >= expireMs) {
          const { before, after } = await requests.update(r.id, (cur) => (cur?.status === 'open' ? { ...cur, status: 'expired' } : undefined));
          if (before?.status !== 'open' || !after) continue;
          await registry.update(r.clientId, (app) => ({ ...app, pendingScopes: app.pendingScopes.filter((s) => !r.scopes.includes(s)) }));
          await audit.append({ event: 'expired', clientId: r.clientId, appName: r.appName, requestId: r.id, actorId: null, scopes: r.scopes, reason: null });
          if (after.cardId) await client.updateCard(after.cardId, statusCard(after, { requesterName }));
          await tellRequester(client, after, installation.botId);
        } else if (now - r.raisedAt >= remindMs) {
          const hours = Math.floor((now - r.requestedAt) / 3600_000);
          const cardId = await postToAdmins(client, r, installation.botId, `Reminder: this request has been waiting for ${hours} hour${hours === 1 ? '' : 's'}.`);
          await requests.update(r.id, (cur) => cur && { ...cur, raisedAt: now, cardId: cardId ?? cur.cardId });
          if (r.cardId && cardId) await client.updateCard(r.cardId, statusCard(r, { requesterName, raisedAgain: true }));
          await audit.append({ event: 'reminded', clientId: r.clientId, appName: r.appName, requestId: r.id, actorId: null, scopes: r.scopes, reason: null });
        }
      } catch (err) {
        log.error('approval reminder or expiry failed; will retry', { requestId: r.id, err });
      }
    }
  }

  const commands: Command[] = [
    { words: ['pending'], summary: 'in the admins\' channel: approval requests waiting for a decision, oldest first.', run: pendingCommand },
    auditCommand,
  ];
  const submitHandlers: Record<string, SubmitHandler> = { approve: onDecision, reject: onDecision, 'request-again': onAskAgain };
  return { onRegistered, commands, submitHandlers, sweep };
}
