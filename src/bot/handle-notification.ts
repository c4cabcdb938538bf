import type { ChatInfo } from '../platform/chat-client.js';
import { parseNotification, stripMentions, type BotEvent } from '../platform/events.js';
import type { Installation } from '../platform/installations.js';
import { findCommand, unknownCommandText, type Command } from './commands.js';
import type { Services, TurnContext } from './context.js';

/** Chat types in which the bot talks one-to-one (REST and event spellings both). */
const DIRECT_TYPES = new Set(['Direct', 'PrivateChat', 'Personal', 'PersonalChat']);

export interface NotificationHandlerOptions {
  services: Services;
  commands: () => Command[];
}

/**
 * Turns one RingCentral notification (webhook body or WebSocket envelope) into the bot's reaction.
 * Duplicate deliveries (same uuid) act once.
 */
export function createNotificationHandler({ services, commands }: NotificationHandlerOptions) {
  const { installations, log, store, clock } = services;
  const seen = store.collection<{ at: number }>('seen-notifications');
  const chatCache = new Map<string, { info: ChatInfo; at: number }>();

  async function chatInfo(ctx: TurnContext, chatId: string): Promise<ChatInfo> {
    const cached = chatCache.get(chatId);
    if (cached && clock.now() - cached.at < 5 * 60_000) return cached.info;
    const info = await ctx.client.getChat(chatId);
    chatCache.set(chatId, { info, at: clock.now() });
    return info;
  }

  async function findInstallation(event: BotEvent): Promise<Installation | undefined> {
    if (event.ownerId) {
      const byOwner = await installations.byBotId(event.ownerId);
      if (byOwner) return byOwner;
    }
    return event.subscriptionId ? installations.bySubscriptionId(event.subscriptionId) : undefined;
  }

  async function onPost(ctx: TurnContext, event: Extract<BotEvent, { kind: 'post' }>) {
    const { botId } = ctx.installation;
    if (event.creatorId === botId) return; // our own echo: answering it would loop
    if (!event.text) return; // cards, files and joins carry no command
    const mentioned = event.mentions.some((m) => m.id === botId) || event.text.includes(`![:Person](${botId})`);
    const chat = await chatInfo(ctx, event.chatId);
    const direct = DIRECT_TYPES.has(chat.type);
    // In chats of more than two we only answer when spoken to (the platform may deliver every post).
    const crowded = chat.members.length > 2 || (!direct && chat.members.length === 0);
    if (crowded && !mentioned) return;
    const text = stripMentions(event.text);
    const message = { text, chatId: event.chatId, personId: event.creatorId, direct };
    const command = findCommand(commands(), text);
    ctx.log.info('message received', { chatId: event.chatId, direct, command: command?.words[0] ?? null });
    if (command) await command.run(ctx, message);
    else await ctx.client.postText(event.chatId, unknownCommandText(text));
  }

  async function onJoined(ctx: TurnContext, event: Extract<BotEvent, { kind: 'joined' }>) {
    chatCache.delete(event.chatId);
    // Greet teams and groups we are added to; not the company-wide chat or our own personal chat.
    if (event.chatType !== 'Team' && event.chatType !== 'Group') return;
    await ctx.client.postText(
      event.chatId,
      'Hello! I am Registrar. Mention me with **create app** to register a RingCentral app, or **help** to see everything I can do.',
    );
  }

  return async function handleNotification(body: unknown): Promise<void> {
    const event = parseNotification(body);
    const installation = await findInstallation(event);
    if (!installation) {
      log.warn('notification for no known installation', { kind: event.kind, subscriptionId: event.subscriptionId });
      return;
    }
    if (event.kind === 'post' && event.creatorId === installation.botId) return; // our own echo: not worth a write
    if (event.uuid) {
      const { before } = await seen.update(event.uuid, (cur) => cur ?? { at: clock.now() });
      if (before) return; // redelivery of an event we already handled
    }
    const ctx: TurnContext = {
      services,
      installation,
      client: await installations.client(installation),
      log: log.child({ eventId: event.uuid, accountId: installation.accountId }),
    };
    switch (event.kind) {
      case 'post':
        return onPost(ctx, event);
      case 'joined':
        return onJoined(ctx, event);
      case 'uninstalled':
        if (event.extensionId === installation.botId) await installations.remove(installation.accountId, 'bot extension deleted');
        return;
      case 'renewal-reminder':
        return installations.maintain();
      default:
        return;
    }
  };
}
