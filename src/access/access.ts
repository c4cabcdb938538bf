import { randomUUID } from 'node:crypto';
import { createAuditLog } from '../approvals/audit-log.js';
import type { Command } from '../bot/commands.js';
import type { IncomingMessage, Services, TurnContext } from '../bot/context.js';
import { noticeDialog } from '../bot/dialogs.js';
import type { ChatEvent } from '../bot/handle-notification.js';
import type { SubmitContext, SubmitHandler, SubmitReply } from '../bot/handle-submit.js';
import { personName } from '../bot/person-name.js';
import { plainText, visibleText } from '../cards/plain-text.js';
import type { ChatClient } from '../platform/chat-client.js';
import type { Installation } from '../platform/installations.js';
import { RingCentralError } from '../platform/rc-client.js';
import type { RegistrationGate } from '../registration/registration.js';
import type { AppRegistry } from '../registry/app-records.js';
import { namedLock } from '../store/named-lock.js';
import { DECIDED_EFFECTS, type AccessEffect, type AccessRequest } from './access-request.js';
import { accessNeededCard, accessOutcomeText, accessRequestCard, accessStatusCard } from './access-views.js';
import { createChatMembers } from './chat-members.js';
import { createCreatorPolicy } from './creator-policy.js';
import { createQuotas } from './quotas.js';

export interface AccessOptions {
  services: Services;
  registry: AppRegistry;
  /** How many approval requests a person has waiting (approvals.openCountOf). */
  openCountOf: (accountId: string, personId: string) => Promise<number>;
}

/** Answers from RingCentral that will not get better by trying again: the card or chat is gone. */
const HOPELESS = new Set([400, 403, 404, 410, 422]);

/**
 * Who may register apps, and how many: the creator policy (CREATORS), requests for access that
 * admins grant or refuse in their channel, and the quotas (MAX_APPS_PER_PERSON, MAX_OPEN_REQUESTS).
 * Registration asks through `gate` before a form opens and again, under the person's lock, at the
 * click that would create an app. Decisions are checked against ADMIN_IDS when the click arrives,
 * stored in one conditional write with what they still owe (history, card, the person's news),
 * and the sweep finishes whatever a failure or a crash left.
 */
export function createAccess({ services, registry, openCountOf }: AccessOptions) {
  const { store, clock, config, installations, log } = services;
  const requests = store.collection<AccessRequest>('access-requests');
  const audit = createAuditLog(store, clock);
  // Kept for every team the bot is in, whatever CREATORS says now (chat-members.ts).
  const members = createChatMembers({ store });
  const policy = createCreatorPolicy({ config, requests, members });
  const quotas = createQuotas({ config, registry, openCountOf });
  // One filing at a time per person ("Request access" clicked twice files one request).
  const personLock = namedLock(store, 'access');
  const settleLock = namedLock(store, 'access-request');
  const key = (accountId: string, personId: string) => `${accountId}:${personId}`;

  const requestsOf = async (accountId: string, personId: string) =>
    (await requests.find('person', key(accountId, personId))).filter((r) => r.accountId === accountId && r.personId === personId).sort((a, b) => b.requestedAt - a.requestedAt);

  /** Where to answer a person about themselves: their direct chat; typed in a team, the team is told where. */
  async function directChatFor({ client }: TurnContext, m: IncomingMessage): Promise<string> {
    if (m.direct) return m.chatId;
    await client.postText(m.chatId, `![:Person](${m.personId}) I'll answer in a direct message with you.`);
    return client.openDirect(m.personId);
  }

  /**
   * A quota refusal is worth a line in the person's history (admins see who runs into the limits):
   * one per person, limit and UTC day, however often they try (the entry's key claims the day).
   */
  async function noteQuota(accountId: string, personId: string, limit: 'apps' | 'requests', detail: string) {
    const day = new Date(clock.now()).toISOString().slice(0, 10);
    await audit
      .append({ event: 'quota-refused', clientId: '', appName: '', requestId: '', actorId: personId, subjectId: personId, accountId, scopes: [], reason: null, detail }, `quota:${accountId}:${personId}:${limit}:${day}`)
      .catch((err: unknown) => log.warn('a quota refusal could not be written to the audit log', { err }));
  }

  const gate: RegistrationGate = {
    async mayStart(ctx, m) {
      const { accountId } = ctx.installation;
      const verdict = await policy.check(ctx.client, accountId, m.personId, ctx.installation.botId);
      if (verdict !== 'allowed') {
        if (verdict === 'unknown') ctx.log.warn('the creators\' chat has no known members: is the bot a member of it?', { chatId: config.creators.kind === 'chat' ? config.creators.chatId : null });
        const chatId = await directChatFor(ctx, m);
        const all = await requestsOf(accountId, m.personId);
        const open = all.find((r) => r.status === 'open');
        const lastRefused = all[0]?.status === 'refused' ? all[0] : undefined;
        await ctx.client.postCard(chatId, accessNeededCard(config.creators, verdict, { botId: ctx.installation.botId, ...(open ? { open } : {}), ...(lastRefused ? { lastRefused } : {}) }));
        return false;
      }
      // Said before a whole form is filled in, not after; checked again when it is submitted.
      const full = await quotas.appsRefusal(accountId, m.personId);
      if (full) {
        await noteQuota(accountId, m.personId, 'apps', `apps: at the limit of ${config.maxAppsPerPerson}`);
        await ctx.client.postText(await directChatFor(ctx, m), full);
        return false;
      }
      return true;
    },
    async refusal(ctx, { personId, kind, newRequests }) {
      const { accountId } = ctx.installation;
      if (kind === 'register') {
        const verdict = await policy.check(ctx.client, accountId, personId, ctx.installation.botId);
        if (verdict !== 'allowed') return 'You do not have permission to register apps (any more), so nothing was registered. Type **request access** to ask the admins.';
        const full = await quotas.appsRefusal(accountId, personId);
        if (full) {
          await noteQuota(accountId, personId, 'apps', `apps: at the limit of ${config.maxAppsPerPerson}`);
          return full;
        }
      }
      const waiting = await quotas.requestsRefusal(accountId, personId, newRequests);
      if (waiting) await noteQuota(accountId, personId, 'requests', `open approval requests: at the limit of ${config.maxOpenRequests}`);
      return waiting;
    },
  };

  /**
   * Files a request for access for `personId`; returns what to tell them. At most one open request
   * per person, under their lock.
   */
  async function requestAccess(installation: Installation, client: ChatClient, personId: string): Promise<string> {
    const { accountId } = installation;
    return personLock.run(key(accountId, personId), async () => {
      if ((await policy.check(client, accountId, personId, installation.botId)) === 'allowed') return 'You may already register apps: type **create app**.';
      const open = (await requestsOf(accountId, personId)).find((r) => r.status === 'open');
      if (open) return 'Your request for access is already with the admins. I will tell you here when they decide.';
      if (!config.adminChatId) return 'Registrar has no admins\' channel set up (ADMIN_CHAT_ID), so I cannot pass your request on. Please ask the person who runs Registrar.';
      const now = clock.now();
      const r: AccessRequest = { id: randomUUID(), accountId, personId, status: 'open', requestedAt: now, adminChatId: null, cardId: null, decision: null };
      await requests.put(r.id, r);
      await audit.append({ event: 'access-requested', clientId: '', appName: '', requestId: r.id, actorId: personId, subjectId: personId, accountId, scopes: [], reason: null }, `access:${r.id}:requested`);
      const posted = await post(installation, client, r).catch((err: unknown) => {
        // Kept open: the sweep posts it once the admins' channel can be reached.
        log.error('an access request could not be posted to the admins\' channel; the sweep will', { requestId: r.id, err });
        return false;
      });
      return posted
        ? 'Your request for permission to register apps is with the admins. I will tell you here when they decide.'
        : 'Your request for permission to register apps is recorded, but I could not reach the admins\' channel just now. I will keep trying and tell you here when they decide.';
    });
  }

  /** Posts an open request's card to the admins' channel and keeps where; false when there is nowhere to post. */
  async function post(installation: Installation, client: ChatClient, r: AccessRequest): Promise<boolean> {
    const chatId = config.adminChatId;
    if (!chatId) return false;
    const person = await client.getPerson(r.personId).catch(() => undefined);
    const name = [person?.firstName, person?.lastName].filter(Boolean).join(' ').trim() || `person ${r.personId}`;
    const { id: cardId } = await client.postCard(chatId, accessRequestCard(r, { botId: installation.botId, personName: name, email: person?.email ?? null }));
    const { after } = await requests.update(r.id, (cur) => (cur?.status === 'open' ? { ...cur, adminChatId: chatId, cardId } : undefined));
    // Decided while it was being posted: the new card shows the outcome at once.
    if (!after) {
      const current = await requests.get(r.id);
      if (current?.decision) await client.updateCard(cardId, accessStatusCard(current, { personName: name, deciderName: await personName(client, current.decision.by) })).catch(() => undefined);
    }
    return true;
  }

  async function onRequestAccess(ctx: SubmitContext): Promise<SubmitReply> {
    const text = await requestAccess(ctx.installation, ctx.client, ctx.personId);
    return noticeDialog('Request access', text);
  }

  const requestCommand: Command = {
    words: ['request access', 'request-access', 'ask for access'],
    summary: 'ask the admins for permission to register apps, when you do not have it.',
    async run(ctx, m) {
      const chatId = await directChatFor(ctx, m);
      await ctx.client.postText(chatId, await requestAccess(ctx.installation, ctx.client, m.personId));
    },
  };

  /** Grant and Refuse on the admins' card: the clicker is checked against ADMIN_IDS now, never against the card. */
  async function onDecision(ctx: SubmitContext): Promise<SubmitReply> {
    const data = ctx.submit.data;
    const r = typeof data.requestId === 'string' ? await requests.get(data.requestId) : undefined;
    if (!r || r.accountId !== ctx.installation.accountId) return noticeDialog('Request not found', 'This request for access no longer exists.');
    // Admin first: someone forging Grant on their own request is told they are no admin, not to find another one.
    if (!config.adminIds.includes(ctx.personId)) {
      ctx.log.warn('access decision click refused', { requestId: r.id });
      return noticeDialog('You cannot decide this request', 'Only Registrar admins can grant or refuse permission to register apps.');
    }
    if (ctx.personId === r.personId) return noticeDialog('You cannot decide this request', 'It is your own request: another admin has to decide.');
    if (r.status !== 'open') {
      const d = r.decision!;
      return noticeDialog('Already decided', `${r.status === 'granted' ? 'Granted' : 'Refused'} by ${plainText(await personName(ctx.client, d.by))}. Nothing was changed.`);
    }
    const grant = data.action === 'grant-access';
    // A reason of invisible characters only is no reason: the person would read nothing.
    const reason = typeof data.reason === 'string' && visibleText(data.reason) ? data.reason.trim().slice(0, 1000) : null;
    if (!grant && !reason) return noticeDialog('A reason is needed', 'Please write why in the Reason field before refusing; the person will see it. Nothing was changed.');
    const decision = { by: ctx.personId, at: clock.now(), reason: grant ? null : reason };
    // The decision and what it still owes are one write: the first decision wins.
    const { before, after } = await requests.update(r.id, (cur) => (cur?.status === 'open' ? { ...cur, status: grant ? 'granted' : 'refused', decision, effects: [...DECIDED_EFFECTS] } : undefined));
    if (before?.status !== 'open' || !after) return noticeDialog('Already decided', 'Another admin decided first. Nothing was changed.');
    ctx.log.info('access request decided', { requestId: r.id, granted: grant });
    await settle(ctx.client, r.id).catch((err: unknown) => ctx.log.error('finishing an access decision failed; the sweep will', { requestId: r.id, err }));
    return undefined;
  }

  /** Carries out what a decision still owes; what fails stays listed for the sweep. */
  function settle(client: ChatClient, id: string): Promise<void> {
    return settleLock.run(id, async () => {
      const r = await requests.get(id);
      if (!r?.effects?.length || !r.decision) return;
      const d = r.decision;
      const done = (effect: AccessEffect) => requests.update(id, (cur) => (cur?.effects?.includes(effect) ? { ...cur, effects: cur.effects.filter((e) => e !== effect) } : undefined));
      if (r.effects.includes('audit')) {
        const event = r.status === 'granted' ? 'access-granted' : 'access-refused';
        await audit.append({ event, clientId: '', appName: '', requestId: r.id, actorId: d.by, subjectId: r.personId, accountId: r.accountId, scopes: [], reason: d.reason }, `access:${r.id}:${r.status}`);
        await done('audit');
      }
      const [name, deciderName] = await Promise.all([personName(client, r.personId), personName(client, d.by)]);
      const told = async (effect: AccessEffect, act: () => Promise<unknown>) => {
        if (!r.effects!.includes(effect)) return;
        try {
          await act();
        } catch (err) {
          const hopeless = err instanceof RingCentralError && err.status !== undefined && HOPELESS.has(err.status);
          log.error(hopeless ? 'an access follow-up cannot be done; dropped' : 'an access follow-up failed; will retry', { requestId: id, effect, err });
          if (!hopeless) return;
        }
        await done(effect);
      };
      await Promise.all([
        told('card', async () => {
          if (r.cardId) await client.updateCard(r.cardId, accessStatusCard(r, { personName: name, deciderName }));
        }),
        told('person', async () => client.postText(await client.openDirect(r.personId), accessOutcomeText(r, deciderName))),
      ]);
    });
  }

  /** Finishes decisions that still owe something and posts requests never posted (run by the sweep, and so at start-up). */
  async function sweep(): Promise<void> {
    for (const r of await requests.find('owes', 'yes')) {
      const installation = await installations.get(r.accountId);
      if (!installation) continue;
      await settle(await installations.client(installation), r.id).catch((err: unknown) => log.error('finishing an access decision failed; will retry', { requestId: r.id, err }));
    }
    if (!config.adminChatId) return;
    for (const installation of await installations.list()) {
      for (const r of await requests.find('unposted', installation.accountId)) {
        if (r.status !== 'open' || r.cardId) continue;
        await post(installation, await installations.client(installation), r).catch((err: unknown) => log.error('posting an access request failed; will retry', { requestId: r.id, err }));
      }
    }
  }

  /** Keeps teams' members as their chat events list them (the creators' chat may be one of them, now or later). */
  async function onChatEvent(_ctx: TurnContext, event: ChatEvent): Promise<void> {
    await members.remember(event);
  }

  const submitHandlers = new Map<string, SubmitHandler>([
    ['request-access', onRequestAccess],
    ['grant-access', onDecision],
    ['refuse-access', onDecision],
  ]);

  return {
    commands: [requestCommand],
    submitHandlers,
    gate,
    onChatEvent,
    sweep,
    /** For `pending` (src/approvals/): the account's open requests for access. */
    openRequests: async (accountId: string) => (await requests.find('open', accountId)).filter((r) => r.status === 'open' && r.accountId === accountId),
    /** For approvals' "ask again": MAX_OPEN_REQUESTS. */
    openRequestsRefusal: quotas.requestsRefusal,
    /** For accepting a hand-over: MAX_APPS_PER_PERSON. */
    appsRefusal: quotas.appsRefusal,
  };
}
