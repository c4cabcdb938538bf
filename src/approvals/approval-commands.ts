import { argumentOf, type Command } from '../bot/commands.js';
import type { IncomingMessage, Services } from '../bot/context.js';
import type { ChatClient } from '../platform/chat-client.js';
import { personNames } from '../bot/person-name.js';
import { clipText, plainText } from '../cards/plain-text.js';
import type { AppRegistry } from '../registry/app-records.js';
import { createAppFinder } from '../registry/find-apps.js';
import { nameKey } from '../registry/name-key.js';
import { NAME_PREFIX_MIN } from '../store/schema.js';
import type { Collection } from '../store/store.js';
import { isPublicReview, utc, type ApprovalRequest } from './approval-request.js';
import { findPerson, NO_EMAIL_LOOKUP, personArgument } from './audit-person.js';
import { isLifecycleEvent, type AuditEntry, type AuditLog } from './audit-log.js';

/** Lines per post: with every line capped at LINE_MAX, a page stays far below the 10,000-character post limit (contract 4.1). */
export const PAGE_SIZE = 20;
const LINE_MAX = 400;
/** How much of a name or a reason one line of a list shows. */
const NAME_MAX = 80;
const REASON_MAX = 200;

/** User text as one list line shows it: clipped, then escaped. */
const shown = (text: string, max = NAME_MAX) => plainText(text, { max });

/** One line, capped so no page can outgrow a post; a cut never leaves a dangling escape. */
function capLine(line: string): string {
  if (line.length <= LINE_MAX) return line;
  return `${clipText(line, LINE_MAX).slice(0, -1).replace(/\\+$/, (b) => (b.length % 2 ? b.slice(1) : b))}…`;
}

/** "2" → 2; anything but a page number → undefined. */
function pageNumber(text: string): number | undefined {
  if (!/^\d{1,6}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 ? n : undefined;
}

/**
 * One page of a long answer: the header, the page's lines, and how to ask for the next page.
 * Only the page's items are turned into lines, so people are looked up only for what is shown.
 */
async function pageOf<T>(items: T[], page: number, header: (range: string) => string, line: (item: T, index: number) => Promise<string>, more: (next: number) => string) {
  const pages = Math.max(1, Math.ceil(items.length / PAGE_SIZE));
  if (page > pages) return `There is no page ${page}: the ${items.length} fit on ${pages === 1 ? 'one page' : `${pages} pages`}.`;
  const start = (page - 1) * PAGE_SIZE;
  const shownItems = items.slice(start, start + PAGE_SIZE);
  const lines = await Promise.all(shownItems.map(async (item, i) => capLine(await line(item, start + i))));
  const range = pages === 1 ? '' : ` (${start + 1}–${start + shownItems.length}, page ${page} of ${pages})`;
  return [header(range), ...lines, ...(page < pages ? [more(page + 1)] : [])].join('\n');
}

/** An open request for permission to register apps, as `pending` lists it (src/access/ keeps them). */
export interface OpenAccessRequest {
  personId: string;
  requestedAt: number;
}

/** `pending` and `audit <app>`: what the admins can ask in their channel. */
export function approvalCommands({
  services,
  requests,
  audit,
  registry,
  openAccessRequests = async () => [],
}: {
  services: Services;
  requests: Collection<ApprovalRequest>;
  audit: AuditLog;
  registry: AppRegistry;
  openAccessRequests?: (accountId: string) => Promise<OpenAccessRequest[]>;
}): Command[] {
  const { config } = services;
  const inAdminChat = (m: IncomingMessage) => config.adminChatId !== undefined && m.chatId === config.adminChatId;
  const adminOnly = "That command works in the admins' channel only.";

  const pending: Command = {
    words: ['pending'],
    adminChat: true,
    takesArgument: true,
    usage: 'pending [page]',
    summary: `in the admins' channel: approval requests (and requests for permission to register apps) waiting for a decision, oldest first, ${PAGE_SIZE} at a time.`,
    async run({ client, installation }, m) {
      if (!inAdminChat(m)) return void (await client.postText(m.chatId, adminOnly));
      const arg = argumentOf(pending, m.text);
      const page = arg === '' ? 1 : pageNumber(arg);
      if (page === undefined) return void (await client.postText(m.chatId, 'Say **pending** for the first page, or **pending 2** for the second.'));
      // Requests for access too: one whose card scrolled out of sight is not lost.
      type Waiting = { approval: ApprovalRequest } | { access: OpenAccessRequest };
      const at = (x: Waiting) => ('approval' in x ? x.approval.requestedAt : x.access.requestedAt);
      const open: Waiting[] = [
        ...(await requests.find('open', installation.accountId)).map((approval) => ({ approval })),
        ...(await openAccessRequests(installation.accountId)).map((access) => ({ access })),
      ].sort((a, b) => at(a) - at(b));
      if (open.length === 0) return void (await client.postText(m.chatId, 'No approval requests are waiting.'));
      const nameOf = personNames(client);
      const text = await pageOf(
        open,
        page,
        (range) => `${open.length} approval request${open.length === 1 ? '' : 's'} waiting, oldest first${range}:`,
        async (x, i) => {
          if ('access' in x) return `${i + 1}. Permission to register apps for ${shown(await nameOf(x.access.personId))} (asked ${utc(x.access.requestedAt)})`;
          const r = x.approval;
          return `${i + 1}. **${shown(r.appName)}** by ${shown(await nameOf(r.requesterId))}: ${isPublicReview(r) ? 'to go public' : shown(r.scopes.join(', '), REASON_MAX)} (asked ${utc(r.requestedAt)})`;
        },
        (next) => `Say **pending ${next}** for more.`,
      );
      await client.postText(m.chatId, text);
    },
  };

  const WORDS: Record<AuditEntry['event'], string> = {
    requested: 'requested',
    approved: 'approved',
    'partially-approved': 'partly approved',
    rejected: 'rejected',
    refused: 'refused',
    reminded: 'raised again',
    expired: 'expired',
    registered: 'registered',
    'secret-rotated': 'client secret rotated',
    'secret-revoked': 'client secret revoked',
    'shared-secret-rotated': 'shared secret rotated',
    'shared-secret-revoked': 'shared secret revoked',
    edited: 'edited',
    'transfer-offered': 'hand-over offered',
    'transfer-accepted': 'hand-over accepted',
    'transfer-declined': 'hand-over declined',
    deleted: 'deleted',
    suspended: 'suspended',
    reinstated: 'reinstated',
    'public-review-requested': 'going public requested',
    'public-approved': 'going public approved',
    'public-rejected': 'going public rejected',
    'public-review-expired': 'review for going public expired',
    'access-requested': 'permission to register apps requested',
    'access-granted': 'permission to register apps granted',
    'access-refused': 'permission to register apps refused',
    'quota-refused': 'registration stopped by a quota',
  };

  /** Entries about a person (and public reviews) name whom they concerned when someone else acted. */
  const PERSON_EVENTS = new Set<AuditEntry['event']>(['access-requested', 'access-granted', 'access-refused', 'quota-refused', 'public-review-requested', 'public-approved', 'public-rejected', 'public-review-expired']);

  const lookUp = createAppFinder({ store: services.store, registry });

  /** "Expense Sync page 2" → the app and page 2; a name that merely ends so is tried whole when nothing else matches. */
  async function findApps(argument: string, accountId: string) {
    const paged = /^(.*\S)\s+page\s+(\d{1,6})$/i.exec(argument);
    const page = paged ? pageNumber(paged[2]!) : undefined;
    if (paged && page !== undefined) {
      const found = await lookUp(paged[1]!, accountId);
      if (found.apps.length > 0) return { query: paged[1]!, ...found, page };
    }
    return { query: argument, ...(await lookUp(argument, accountId)), page: 1 };
  }

  /** ": A, B; rejected C" for a decision; a full rejection names its scopes once (": C"). */
  const scopeParts = (e: AuditEntry) => {
    const rejected = e.rejected?.length ? shown(e.rejected.join(', '), REASON_MAX) : '';
    const scopes = e.scopes.length ? shown(e.scopes.join(', '), REASON_MAX) : '';
    const parts = scopes && rejected ? `${scopes}; rejected ${rejected}` : scopes || rejected;
    return parts ? `: ${parts}` : '';
  };

  const auditCommand: Command = {
    words: ['audit'],
    adminChat: true,
    takesArgument: true,
    usage: 'audit <app or @person> [page N]',
    summary: `in the admins' channel: the history of an app (approvals and changes) (by client ID, name, or the beginning of its name), or of a person (mention them, or give their person ID: access requests, public reviews, quotas and what they did), ${PAGE_SIZE} entries at a time.`,
    async run({ client, installation }, m) {
      if (!inAdminChat(m)) return void (await client.postText(m.chatId, adminOnly));
      const argument = argumentOf(auditCommand, m.text);
      // A person: mentioned, "person <id>" or "@<id>"; an email address is answered, never looked up.
      const target = personArgument(argument, m.mentions ?? []);
      if (target.kind === 'several') return void (await client.postText(m.chatId, 'One person at a time, please: say **audit** and mention one person.'));
      if (target.kind === 'email') return void (await client.postText(m.chatId, NO_EMAIL_LOOKUP));
      if (target.kind === 'person') {
        const id = target.id;
        if (!id) return void (await client.postText(m.chatId, `I know nobody by ${shown(target.asTyped, REASON_MAX)} in this account. Mention them (type @ and choose them), or give their person ID.`));
        return auditPerson(client, installation.accountId, m.chatId, id, target.page);
      }
      if (!argument) return void (await client.postText(m.chatId, 'Which app, or whom? Say **audit <app name or client ID>**, or **audit @person** mentioning them.'));
      const { query, apps, page, byPrefix: prefixed } = await findApps(argument, installation.accountId);
      // A bare number that names no app may be a person's ID.
      if (apps.length === 0 && /^\d{1,20}$/.test(argument.trim()) && (await findPerson(client, installation.accountId, argument.trim()))) {
        return auditPerson(client, installation.accountId, m.chatId, argument.trim(), 1);
      }
      if (apps.length === 0) {
        const pageZero = /^(.*\S)\s+page\s+0+$/i.exec(argument);
        const tooShort = [...nameKey(query)].length < NAME_PREFIX_MIN;
        const text = pageZero
          ? `Pages start at 1: say **audit ${shown(pageZero[1]!, REASON_MAX)}** for the first.`
          : `I know no app called "${shown(query, REASON_MAX)}" in this account.${tooShort ? ` To find an app by the beginning of its name, give at least ${NAME_PREFIX_MIN} characters, or its client ID.` : ''}`;
        return void (await client.postText(m.chatId, text));
      }
      const nameOf = personNames(client);
      if (apps.length > 1) {
        // Names are unique per owner, not per account: never pick one silently.
        const text = await pageOf(
          apps,
          page,
          (range) => `${apps.length} apps ${prefixed ? 'have names beginning with' : 'are called'} "${shown(query)}"${range}. Say which one by its client ID:`,
          async (a) => `• **${shown(a.appName)}** of ${shown(await nameOf(a.ownerId))}: audit ${plainText(a.clientId)}`,
          (next) => `Say **audit ${shown(query)} page ${next}** for more.`,
        );
        return void (await client.postText(m.chatId, text));
      }
      const app = apps[0]!;
      const entries = await audit.forApp(app.clientId);
      if (entries.length === 0) return void (await client.postText(m.chatId, `**${shown(app.appName)}** has no approval history.`));
      const text = await pageOf(
        entries,
        page,
        (range) => `Approval history of **${shown(app.appName)}** (${plainText(app.clientId)})${range}:`,
        async (e) => `• ${utc(e.at)}: ${await describe(e, nameOf, false)}`,
        (next) => `Say **audit ${plainText(app.clientId)} page ${next}** for more.`,
      );
      await client.postText(m.chatId, text);
    },
  };

  /** One entry in words (people named, their text escaped); `withApp` names the app too (a person's history spans apps). */
  async function describe(e: AuditEntry, nameOf: (id: string) => Promise<string>, withApp: boolean): Promise<string> {
    const who = e.actorId ? shown(await nameOf(e.actorId)) : 'Registrar';
    const reason = e.reason ? shown(e.reason, REASON_MAX) : '';
    const about = e.subjectId && e.subjectId !== e.actorId ? ` for ${shown(await nameOf(e.subjectId))}` : '';
    const what = PERSON_EVENTS.has(e.event)
      ? `${WORDS[e.event]}${about}${e.actorId ? ` by ${who}` : ''}${e.detail ? `: ${shown(e.detail, REASON_MAX)}` : ''}`
      : isLifecycleEvent(e.event)
        ? `${WORDS[e.event]} by ${who}${e.detail ? `: ${shown(e.detail, REASON_MAX)}` : ''}`
        : e.event === 'refused'
          ? `${WORDS[e.event]} a click by ${who} (${reason})`
          : `${WORDS[e.event]} by ${who}${scopeParts(e)}`;
    const app = withApp && e.appName ? `**${shown(e.appName)}**: ` : '';
    return `${app}${what}${reason && e.event !== 'refused' ? ` (reason: ${reason})` : ''}`;
  }

  /** `audit @person`: what a person did and what was decided about them, in this account. */
  async function auditPerson(client: ChatClient, accountId: string, chatId: string, personId: string, page: number) {
    const person = await findPerson(client, accountId, personId);
    if (!person) return void (await client.postText(chatId, `I know no person with the ID ${shown(personId)} in this account. Mention them (type @ and choose them), or give their person ID.`));
    const entries = (await audit.forPerson(person.id)).filter((e) => e.accountId === undefined || e.accountId === accountId);
    if (entries.length === 0) return void (await client.postText(chatId, `${shown(person.name)} has no history here yet.`));
    const nameOf = personNames(client);
    const text = await pageOf(
      entries,
      page,
      (range) => `History of ${shown(person.name)} (${plainText(person.id)})${range}:`,
      async (e) => `• ${utc(e.at)}: ${await describe(e, nameOf, true)}`,
      (next) => `Say **audit person ${plainText(person.id)} page ${next}** for more.`,
    );
    await client.postText(chatId, text);
  }

  return [pending, auditCommand];
}
