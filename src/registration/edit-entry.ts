import { argumentOf, type Command } from '../bot/commands.js';
import type { IncomingMessage, TurnContext } from '../bot/context.js';
import { noticeDialog } from '../bot/dialogs.js';
import type { SubmitContext, SubmitReply } from '../bot/handle-submit.js';
import { plainText } from '../cards/plain-text.js';
import type { Flow } from '../conversation/flow.js';
import type { ChatClient } from '../platform/chat-client.js';
import { holdsName, type AppRecord, type AppRegistry } from '../registry/app-records.js';
import { draftOf, editRefusal } from './edit-app.js';

/** What the edit entry points borrow from the registration module (its forms, one per person). */
export interface EditEntryOptions {
  registry: AppRegistry;
  personLock: { run<T>(key: string, fn: () => Promise<T>): Promise<T> };
  personKey: (accountId: string, personId: string) => string;
  serialised: (run: (ctx: TurnContext, m: IncomingMessage) => Promise<void>) => (ctx: TurnContext, m: IncomingMessage) => Promise<void>;
  isExpired: (flow: Flow) => boolean;
  formWords: (flow: Flow) => string;
  settleRegisteringOf: (ctx: TurnContext, accountId: string, ownerId: string) => Promise<void>;
  activeFlowOf: (accountId: string, ownerId: string) => Promise<Flow | undefined>;
  repost: (ctx: TurnContext, flow: Flow, chatId: string, notice: string) => Promise<void>;
  expire: (client: ChatClient, flow: Flow) => Promise<void>;
  directChatFor: (ctx: TurnContext, message: IncomingMessage, what: string) => Promise<string>;
  /** Stores a new form with these fields and posts its card. */
  open: (ctx: TurnContext, accountId: string, ownerId: string, chatId: string, fields: Partial<Flow>) => Promise<void>;
}

/**
 * The ways into an edit: `edit app <name or client ID>`, and the app card's `edit-app` button
 * (data `{ clientId, botId }`). Both open the registration form at its review on the app's current
 * answers, in the owner's direct chat; who may is judged against the stored app at that moment.
 *
 * @example
 *   const edit = editEntryPoints({ registry, personLock, ..., open });
 *   commands.push(edit.command); handlers.set('edit-app', edit.onClick);
 */
export function editEntryPoints(o: EditEntryOptions) {
  /** One form at a time per person: an open one (a registration, or another edit) is shown again instead. */
  async function startEdit(ctx: TurnContext, ownerId: string, app: AppRecord, chatId: string) {
    const { accountId } = ctx.installation;
    await o.settleRegisteringOf(ctx, accountId, ownerId);
    const existing = await o.activeFlowOf(accountId, ownerId);
    const name = plainText(app.appName);
    if (existing && !o.isExpired(existing)) {
      const notice =
        existing.editing?.clientId === app.clientId
          ? `You are already editing ${name}: here is the form.`
          : `You have ${o.formWords(existing)} open: here it is. Finish or cancel it (type cancel), then edit ${name}.`;
      await o.repost(ctx, existing, chatId, notice);
      return;
    }
    if (existing) await o.expire(ctx.client, existing);
    // Decided: a suspended app may be changed by its owner; it stays suspended, and the form says so.
    const suspended = app.status === 'suspended' ? `${name} is suspended: you can change it, but it stays suspended until an admin reinstates it.` : '';
    await o.open(ctx, accountId, ownerId, chatId, {
      step: 'review',
      draft: draftOf(app),
      returnToReview: true,
      editing: { clientId: app.clientId, appName: app.appName },
      notice: suspended,
    });
    ctx.log.info('edit started', { clientId: app.clientId });
  }

  const command: Command = {
    words: ['edit app', 'change app'],
    takesArgument: true,
    usage: 'edit app <name or client ID>',
    summary: 'change one of your apps (its settings and scopes) on the registration form; its type stays.',
    run: o.serialised(async (ctx, message) => {
      const query = argumentOf(command, message.text);
      if (!query) return void (await ctx.client.postText(message.chatId, 'Which app? Say **edit app <app name or client ID>**.'));
      // Only the person's own apps are found: someone else's client ID reads as unknown.
      const mine = (await o.registry.findAll(query, ctx.installation.accountId)).filter((a) => a.ownerId === message.personId && holdsName(a) && a.status !== 'issuing');
      const app = mine[0];
      if (!app) return void (await ctx.client.postText(message.chatId, `I know no app of yours called "${plainText(query, { max: 80 })}". Check the name, or use its client ID.`));
      const chatId = await o.directChatFor(ctx, message, `help you edit ${plainText(app.appName)}`);
      await startEdit(ctx, message.personId, app, chatId);
    }),
  };

  /** The app card's `edit-app` button: judged against the stored app, never the card's data. */
  async function onClick(ctx: SubmitContext): Promise<SubmitReply> {
    const clientId = typeof ctx.submit.data.clientId === 'string' ? ctx.submit.data.clientId : '';
    const app = clientId ? await o.registry.get(clientId) : undefined;
    const refusal = editRefusal(app, ctx.installation.accountId, ctx.personId);
    if (refusal || !app) {
      ctx.log.warn('edit click refused', { clientId });
      const foreign = app && app.accountId === ctx.installation.accountId && app.ownerId !== ctx.personId && holdsName(app);
      return noticeDialog(foreign ? 'This app is not yours' : 'This app cannot be changed', refusal ?? 'Nothing was changed.');
    }
    const chatId = await ctx.client.openDirect(ctx.personId);
    await o.personLock.run(o.personKey(app.accountId, ctx.personId), () => startEdit(ctx, ctx.personId, app, chatId));
    return;
  }

  return { command, onClick };
}
