import { createAuditLog } from '../approvals/audit-log.js';
import { argumentOf, type Command } from '../bot/commands.js';
import type { IncomingMessage, Services, TurnContext } from '../bot/context.js';
import { noticeDialog } from '../bot/dialogs.js';
import type { SubmitContext, SubmitHandler } from '../bot/handle-submit.js';
import { personName, personNames } from '../bot/person-name.js';
import { plainText } from '../cards/plain-text.js';
import type { ChatClient } from '../platform/chat-client.js';
import type { Installation } from '../platform/installations.js';
import type { Reveal } from '../registration/issue-app.js';
import { holdsName, type AppRecord, type AppRegistry } from '../registry/app-records.js';
import { createAppFinder } from '../registry/find-apps.js';
import { namedLock } from '../store/named-lock.js';
import { appActions } from './app-actions.js';
import { appCard, myAppsCard, PAGE_SIZE } from './app-views.js';
import { createClickGuard, str } from './click-guard.js';
import { createHandOver } from './hand-over.js';
import { createOwedEffects } from './owed-effects.js';
import { createRotator, type Rotation } from './rotate-secret.js';

export interface LifecycleOptions {
  services: Services;
  registry: AppRegistry;
  /** Closes an app's open approval requests when it is deleted (src/approvals/). */
  closeRequestsOf: (installation: Installation, client: ChatClient, clientId: string) => Promise<void>;
  /** Told after `my apps` answered, in the same chat: the person's JWT credentials follow (src/oauth/jwt-credentials.ts). */
  afterMyApps?: (client: ChatClient, chatId: string, accountId: string, personId: string) => Promise<void>;
  /** Why a person may not own one more app (MAX_APPS_PER_PERSON, src/access/): checked when they accept a hand-over. */
  appsRefusal?: (accountId: string, personId: string) => Promise<string | undefined>;
  /** Moves an app's open approval requests to its new owner when a hand-over completes (src/approvals/). */
  moveRequestsOf?: (client: ChatClient, botId: string, clientId: string, ownerId: string) => Promise<void>;
}

/** How many apps an ambiguous `app <name>` lists before asking for the client ID. */
const LIST_MAX = 20;

/**
 * App lifecycle in chat: `my apps`, `app <name or client ID>` (the owner's card in a direct chat,
 * the admins' card in their channel), and the card's actions: rotate and revoke secrets, hand
 * over, delete, suspend and reinstate. Who may act is checked at click time (click-guard.ts);
 * every change is an audit entry. What a crash interrupted (a rotation, a change's consequences, an
 * accepted hand-over) is finished or undone by `recover`, at start-up and with every sweep.
 */
export function createLifecycle({ services, registry, closeRequestsOf, afterMyApps, appsRefusal, moveRequestsOf }: LifecycleOptions) {
  const { store, clock, config, installations, log } = services;
  const audit = createAuditLog(store, clock);
  const reveals = store.collection<Reveal>('reveals');
  const appLock = namedLock(store, 'app-lifecycle');
  const find = createAppFinder({ store, registry });
  const guard = createClickGuard({ registry, audit, config, now: () => clock.now() });
  const rotator = createRotator({ services, registry, reveals, audit });

  const ownerCard = (app: AppRecord, botId: string, notice?: string) =>
    appCard(app, { botId, now: clock.now(), graceHours: config.rotationGraceHours, view: 'owner', ...(notice ? { notice } : {}) });
  const adminCard = async (app: AppRecord, client: ChatClient, botId: string, notice?: string) =>
    appCard(app, { botId, now: clock.now(), graceHours: config.rotationGraceHours, view: 'admin', ownerName: await personName(client, app.ownerId), ...(notice ? { notice } : {}) });

  const handOver = createHandOver({ services, registry, audit, appLock, guard, ownerCard, ...(appsRefusal ? { appsRefusal } : {}), ...(moveRequestsOf ? { moveRequestsOf } : {}) });
  const owed = createOwedEffects({ services, registry, audit, ownerCard, adminCard, closeRequestsOf, withdrawOffer: handOver.withdraw });
  const actions = appActions({ services, registry, appLock, guard, rotator, ownerCard, adminCard, owed });

  const inAdminChat = (m: IncomingMessage) => config.adminChatId !== undefined && m.chatId === config.adminChatId;

  /** Answers about a person's apps go to their direct chat; typed in a team, the team is told where. */
  async function directChatFor({ client }: TurnContext, m: IncomingMessage): Promise<string> {
    if (m.direct) return m.chatId;
    await client.postText(m.chatId, `![:Person](${m.personId}) I'll answer in a direct message with you, so nothing about your apps is shared here.`);
    return client.openDirect(m.personId);
  }

  /** The owner's live apps, oldest first (a stable order for pages). */
  const appsOf = async (accountId: string, ownerId: string) =>
    (await registry.listByOwner(accountId, ownerId)).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.clientId.localeCompare(b.clientId));

  const myApps: Command = {
    words: ['my apps', 'list apps', 'list my apps'],
    takesArgument: true,
    usage: 'my apps [page]',
    summary: `list your apps with their status, scopes and secrets, ${PAGE_SIZE} a page.`,
    async run(ctx, m) {
      const arg = argumentOf(myApps, m.text);
      const page = arg === '' ? 1 : /^\d{1,6}$/.test(arg) ? Number(arg) : 0;
      if (page < 1) return void (await ctx.client.postText(m.chatId, 'Say **my apps** for the first page, or **my apps 2** for the second.'));
      const apps = await appsOf(ctx.installation.accountId, m.personId);
      const pages = Math.max(1, Math.ceil(apps.length / PAGE_SIZE));
      const chatId = await directChatFor(ctx, m);
      if (page > pages) {
        return void (await ctx.client.postText(chatId, `There is no page ${page}: your ${apps.length} app${apps.length === 1 ? '' : 's'} fit on ${pages === 1 ? 'one page' : `${pages} pages`}. Say **my apps** for the first.`));
      }
      await ctx.client.postCard(chatId, myAppsCard(apps, { ownerId: m.personId, botId: ctx.installation.botId, page, now: clock.now() }));
      if (page === 1) await afterMyApps?.(ctx.client, chatId, ctx.installation.accountId, m.personId);
    },
  };

  const appCommand: Command = {
    words: ['app'],
    takesArgument: true,
    usage: 'app <name or client ID>',
    summary: "show one of your apps, to rotate or revoke its secrets, hand it over or delete it; in the admins' channel, any app of the account, to suspend or reinstate it.",
    async run(ctx, m) {
      const { client, installation } = ctx;
      const query = argumentOf(appCommand, m.text);
      if (!query) return void (await client.postText(m.chatId, 'Which app? Say **app <name or client ID>**. **my apps** lists yours.'));
      const admins = inAdminChat(m);
      const { apps, byPrefix } = await find(query, installation.accountId, admins ? undefined : (a) => a.ownerId === m.personId && holdsName(a));
      // The admins' answers stay in their channel; a person's own apps are talked about in private.
      const chatId = admins ? m.chatId : await directChatFor(ctx, m);
      const shown = plainText(query, { max: 80 });
      if (apps.length === 0) {
        const text = admins ? `I know no app called "${shown}" in this account.` : `You have no app called "${shown}". Say **my apps** to see yours.`;
        return void (await client.postText(chatId, text));
      }
      if (apps.length > 1) {
        // Names are unique per owner, not per account (and a beginning may fit several): never pick one silently.
        const nameOf = personNames(client);
        const lines = await Promise.all(
          apps.slice(0, LIST_MAX).map(async (a) => `• **${plainText(a.appName, { max: 80 })}**${admins ? ` of ${plainText(await nameOf(a.ownerId), { max: 80 })}${holdsName(a) ? '' : ' (deleted)'}` : ''}: app ${a.clientId}`),
        );
        const more = apps.length > LIST_MAX ? [`…and ${apps.length - LIST_MAX} more: type more of the name.`] : [];
        const head = `${apps.length} ${admins ? 'apps' : 'of your apps'} ${byPrefix ? 'have names beginning with' : 'are called'} "${shown}". Say which one by its client ID:`;
        return void (await client.postText(chatId, [head, ...lines, ...more].join('\n')));
      }
      const app = apps[0]!;
      await client.postCard(chatId, admins ? await adminCard(app, client, installation.botId) : ownerCard(app, installation.botId));
    },
  };

  /** "Open" on the list: the app's card, for its owner. */
  async function onShowApp(ctx: SubmitContext) {
    const { app, reply } = await guard.check(ctx, 'owner', { stamp: false });
    if (!app) return reply;
    await ctx.client.postCard(ctx.chatId ?? (await ctx.client.openDirect(ctx.personId)), ownerCard(app, ctx.installation.botId));
    return;
  }

  /** Next and Previous on the list: the same card, another page (of the clicker's own apps only). */
  async function onPage(ctx: SubmitContext) {
    if (str(ctx.submit.data.ownerId) !== ctx.personId) return noticeDialog('This list is not yours', 'It lists someone else\'s apps. Say **my apps** to see yours.');
    const apps = await appsOf(ctx.installation.accountId, ctx.personId);
    const pages = Math.max(1, Math.ceil(apps.length / PAGE_SIZE));
    const asked = /^\d{1,6}$/.test(str(ctx.submit.data.page)) ? Number(ctx.submit.data.page) : 1;
    const page = Math.min(Math.max(1, asked), pages);
    const notice = page !== asked ? `There is no page ${asked} any more: here is page ${page}.` : '';
    if (ctx.cardId) await ctx.client.updateCard(ctx.cardId, myAppsCard(apps, { ownerId: ctx.personId, botId: ctx.installation.botId, page, now: clock.now(), notice }));
    return;
  }

  /** The context to finish work for an account in, or undefined when the bot is no longer installed there. */
  async function contextFor(accountId: string): Promise<TurnContext | undefined> {
    const installation = await installations.get(accountId);
    return installation ? { services, installation, client: await installations.client(installation), log } : undefined;
  }

  /**
   * What a crash interrupted: rotations are finished or undone, changes' consequences finished.
   * Each under its app's lock, so work in progress in this process is never taken for a leftover.
   */
  async function recover(): Promise<void> {
    const rotations = store.collection<Rotation>('rotations');
    for (const listed of await rotator.leftovers()) {
      await appLock
        .run(listed.clientId, async () => {
          const current = await rotations.get(listed.id);
          const ctx = current && (await contextFor(current.accountId));
          if (!current || !ctx) return;
          const outcome = await rotator.recover(ctx, current);
          log.info('interrupted rotation recovered', { clientId: current.clientId, outcome });
        })
        .catch((err: unknown) => log.error('recovering a rotation failed; will retry', { clientId: listed.clientId, err }));
    }
    for (const listed of await owed.leftovers()) {
      await appLock
        .run(listed.clientId, async () => {
          const current = await owed.get(listed.id);
          const ctx = current && (await contextFor(current.accountId));
          if (!current || !ctx) return;
          await owed.settle(ctx, current);
          log.info('interrupted app change finished', { clientId: current.clientId, event: current.change.event });
        })
        .catch((err: unknown) => log.error('finishing an app change failed; will retry', { clientId: listed.clientId, err }));
    }
    for (const listed of await handOver.leftovers()) {
      await appLock
        .run(listed.clientId, async () => {
          const ctx = await contextFor(listed.accountId);
          if (ctx) await handOver.settleAccept(ctx.client, ctx.installation.botId, listed.clientId);
        })
        .catch((err: unknown) => log.error('finishing a hand-over failed; will retry', { clientId: listed.clientId, err }));
    }
  }

  const submitHandlers = new Map<string, SubmitHandler>([...actions, ...handOver.submitHandlers, ['show-app', onShowApp], ['my-apps-page', onPage]]);
  return { commands: [myApps, appCommand], submitHandlers, recover, sweep: recover };
}
