import type { ChatInfo } from '../platform/chat-client.js';
import { parseNotification, stripMentions, type BotEvent, type Mention } from '../platform/events.js';
import type { Installation } from '../platform/installations.js';
import { findCommand, unknownCommandText, welcomeText, type Command } from './commands.js';
import type { Services, TurnContext } from './context.js';
import { StoreWriteError } from '../store/store.js';
import { SLOW_DOWN, type PersonLimiter } from './person-limiter.js';

/** Chat types in which the bot talks one-to-one (REST and event spellings both). */
const DIRECT_TYPES = new Set(['Direct', 'PrivateChat', 'Personal', 'PersonalChat']);

type PostEvent = Extract<BotEvent, { kind: 'post' }>;

/** A chat's members as a chat event lists them (src/access/ keeps the creators' chat's). */
export type ChatEvent = Extract<BotEvent, { kind: 'joined' | 'chat-changed' }>;

export interface NotificationHandlerOptions {
  services: Services;
  commands: () => Command[];
  /** Per-person limits on commands (src/bot/person-limiter.ts); shared with clicks. */
  limiter?: PersonLimiter;
  /** Told of every chat event (the bot added, someone else joined or left, the bot removed). */
  onChatEvent?: (ctx: TurnContext, event: ChatEvent) => Promise<void>;
}

/** How a delivery reached the handler: from the inbox, which already told redeliveries apart. */
export interface TurnOptions {
  /** The inbox stored this delivery under its event id: it is not a redelivery. */
  deduped?: boolean;
  /** Names the turn's messages in the outbox, so handling the delivery again sends none twice. */
  turn?: string;
}

/**
 * Turns one RingCentral notification (webhook body or WebSocket envelope) into the bot's reaction.
 * Duplicate deliveries (same uuid) act once.
 */
export function createNotificationHandler({ services, commands, limiter, onChatEvent = async () => {} }: NotificationHandlerOptions) {
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

  /**
   * The words of a post and who it mentions. A PostAdded may come without `text` (seen on WebSocket
   * deliveries, contract appendix "Posts without text"): the post is then fetched. Cards, files and
   * joins carry no command and are never fetched.
   */
  async function wordsOf(ctx: TurnContext, event: PostEvent): Promise<{ text: string; mentions: Mention[] } | undefined> {
    if (event.text) return { text: event.text, mentions: event.mentions };
    if (event.postType !== undefined && event.postType !== 'TextMessage') return undefined;
    const post = await ctx.client.getPost(event.chatId, event.postId);
    if (!post.text) return undefined;
    return { text: post.text, mentions: event.mentions.length > 0 ? event.mentions : post.mentions };
  }

  async function onPost(ctx: TurnContext, event: PostEvent, deduped: boolean) {
    const { botId } = ctx.installation;
    if (event.creatorId === botId) return; // our own echo: answering (or fetching) it would loop
    const words = await wordsOf(ctx, event);
    if (!words) return;
    // Our id is what makes a mention ours; its `type` is not promised (contract appendix "Mentions").
    const mentioned = words.mentions.some((m) => m.id === botId) || words.text.includes(`![:Person](${botId})`);
    const chat = await chatInfo(ctx, event.chatId);
    const direct = DIRECT_TYPES.has(chat.type);
    // Outside one-to-one chats we only answer when spoken to (the platform may deliver every post).
    // Teams need not list their members (contract appendix "Team members"): a list can add caution, never remove it.
    const crowded = !direct || chat.members.length > 2;
    if (crowded && !mentioned) return;
    const text = stripMentions(words.text);
    // Who else it mentions: `audit @person` names its person so (the markup itself is stripped from the text).
    const marked = [...words.text.matchAll(/!\[:Person\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    const mentions = [...new Set([...words.mentions.filter((m) => m.type === undefined || m.type === 'Person').map((m) => m.id), ...marked])].filter((id) => id !== botId);
    const message = { text, chatId: event.chatId, personId: event.creatorId, direct, mentions };
    const command = findCommand(commands(), text);
    try {
      // Only now, for a post meant for us, is the event id worth a write.
      if (!deduped && !(await firstTime(event))) return;
      // One person's flood must not use up what the bot may send for everyone: told once, then ignored for a while.
      const verdict = limiter?.check(`${ctx.installation.accountId}:${event.creatorId}`) ?? 'ok';
      if (verdict !== 'ok') {
        ctx.log.warn('a person is over their limit', { personId: event.creatorId, told: verdict === 'tell' });
        if (verdict === 'tell') await ctx.client.postText(event.chatId, SLOW_DOWN);
        return;
      }
      ctx.log.info('message received', { chatId: event.chatId, direct, command: command?.words[0] ?? null });
      if (command) await command.run(ctx, message);
      else await ctx.client.postText(event.chatId, unknownCommandText(text, { direct: !crowded, adminChat: event.chatId === services.config.adminChatId }, commands()));
    } catch (err) {
      // RingCentral does not deliver a post twice: whoever typed it must hear that it did not work.
      ctx.log.error('message handling failed', { chatId: event.chatId, command: command?.words[0] ?? null, err });
      const reply = err instanceof StoreWriteError ? (err.options.userMessage ?? 'I could not save that. Please try again in a moment.') : 'Sorry, something went wrong while handling that. Please try again in a moment; if it keeps failing, tell your admin.';
      await ctx.client.postText(event.chatId, reply).catch(() => undefined);
    }
  }

  /** Records the event id; false for a redelivery of an event already handled. */
  async function firstTime(event: BotEvent): Promise<boolean> {
    if (!event.uuid) return true;
    const { before } = await seen.update(event.uuid, (cur) => cur ?? { at: clock.now() });
    return before === undefined;
  }

  async function onJoined(ctx: TurnContext, event: Extract<BotEvent, { kind: 'joined' }>) {
    // What the event says of the chat is as fresh as asking: a team's chatter then needs no write (see worthStoring).
    if (event.chatType) chatCache.set(event.chatId, { info: { id: event.chatId, type: event.chatType, name: null, members: event.members }, at: clock.now() });
    else chatCache.delete(event.chatId);
    // Greet teams and groups we are added to; not the company-wide chat or our own personal chat.
    if (event.chatType !== 'Team' && event.chatType !== 'Group') return;
    await ctx.client.postText(event.chatId, welcomeText({ direct: false, adminChat: event.chatId === services.config.adminChatId }));
  }

  /**
   * False for a delivery whose handling is known to do nothing, from its content and what is
   * cached: our own echo, an edit or removal, a post in a team that does not mention us. The
   * inbox does not store those (a team's chatter would otherwise cost a write each).
   */
  function worthStoring(body: unknown): boolean {
    let event: BotEvent;
    try {
      event = parseNotification(body);
    } catch {
      return false; // not a notification we understand: its handling ends at the parse too
    }
    if (event.kind === 'other') return false;
    if (event.kind !== 'post') return true;
    if (event.ownerId && event.creatorId === event.ownerId) return false;
    if (!event.text || !event.ownerId) return true;
    const cached = chatCache.get(event.chatId);
    if (!cached || clock.now() - cached.at >= 5 * 60_000) return true;
    const crowded = !DIRECT_TYPES.has(cached.info.type) || cached.info.members.length > 2;
    const mentioned = event.mentions.some((m) => m.id === event.ownerId) || event.text.includes(`![:Person](${event.ownerId})`);
    return !crowded || mentioned;
  }

  async function handleNotification(body: unknown, { deduped = false, turn }: TurnOptions = {}): Promise<void> {
    const event = parseNotification(body);
    const installation = await findInstallation(event);
    if (!installation) {
      log.warn('notification for no known installation', { kind: event.kind, subscriptionId: event.subscriptionId });
      return;
    }
    if (event.kind === 'post' && event.creatorId === installation.botId) return; // our own echo: not worth a write
    // Edits, removals and the rest concern nothing we keep: no id is worth a write for them.
    if (event.kind === 'other') return;
    if (event.kind === 'uninstalled' && event.extensionId !== installation.botId) return;
    // Posts record their id once we know they are meant for us (see onPost); a chat change is only
    // remembered, newest first, so acting on it twice is harmless and not worth a write; other events here.
    if (event.kind !== 'post' && event.kind !== 'chat-changed' && !deduped && !(await firstTime(event))) return;
    const client = await installations.client(installation);
    const chatId = 'chatId' in event ? event.chatId : undefined;
    const ctx: TurnContext = {
      services,
      installation,
      client: turn && services.turnClient ? services.turnClient(installation.accountId, await installations.rawClient(installation), turn, chatId) : client,
      log: log.child({ eventId: event.uuid, accountId: installation.accountId }),
    };
    switch (event.kind) {
      case 'post':
        return onPost(ctx, event, deduped);
      case 'joined':
        await onChatEvent(ctx, event).catch((err: unknown) => ctx.log.error('a chat event could not be kept', { chatId: event.chatId, err }));
        return onJoined(ctx, event);
      case 'chat-changed':
        chatCache.delete(event.chatId); // who is in it changed: a direct chat may have become a group
        return onChatEvent(ctx, event);
      case 'uninstalled':
        await installations.remove(installation.accountId, 'bot extension deleted');
        return;
      case 'renewal-reminder':
        return installations.maintain();
      default:
        return;
    }
  }

  return { handle: handleNotification, worthStoring };
}
