/**
 * Posts and adaptive cards. Every new post (a user's, or a bot's own text or card) is
 * delivered as PostAdded to every member bot, whether mentioned or not: platform-side
 * filtering is UNCONFIRMED (contract 3.4) and bots echo-filter themselves (contract 3.5).
 */
import { validateAdaptiveCard } from './card-validation.js';
import type { ChatService } from './chats.js';
import type { EmulatorContext } from './context.js';
import type { Deliverer, DeliveryRecord } from './deliver.js';
import type { Directory } from './directory.js';
import { EmulatorError, rcError } from './errors.js';
import { uuid } from './ids.js';
import { parseMentions } from './mentions.js';
import { getOwn, type Chat, type Post, type StoredCard } from './model.js';
import { postEventBody } from './payloads.js';
import { PostEventShaper } from './post-event-shape.js';

/** Longest text a post may have (EX TMCreatePostRequest). */
export const MAX_POST_TEXT = 10_000;

/** Post and card operations. */
export class PostService {
  private readonly shaper: PostEventShaper;

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly directory: Directory,
    private readonly chats: ChatService,
    private readonly deliverer: Deliverer,
  ) {
    this.shaper = new PostEventShaper(ctx.options.postEvents);
  }

  /** A user (or any member) posts text; resolves after PostAdded was delivered to member bots. */
  async userPost(
    chatId: string,
    personId: string,
    text: string,
  ): Promise<{ post: Post; deliveries: DeliveryRecord[] }> {
    const chat = this.directory.chat(chatId);
    this.directory.person(personId);
    if (!this.chats.isMember(chat, personId)) {
      throw new EmulatorError('EMU_NOT_MEMBER', `person ${personId} is not a member of chat ${chatId}`);
    }
    if (text.length === 0 || text.length > MAX_POST_TEXT) {
      throw new EmulatorError('EMU_INVALID', `text must have 1..${MAX_POST_TEXT} characters`);
    }
    const post = this.insertTextPost(chat, personId, text);
    const deliveries = await this.notifyBots(chat, this.shaper.shape(postEventBody(post, 'PostAdded')));
    return { post, deliveries };
  }

  /** A bot posts text through the REST API; the echo to member bots is sent after the answer. */
  botPost(chat: Chat, botId: string, body: { text?: unknown; attachments?: unknown }): Post {
    this.assertMember(chat, botId);
    if (body.attachments !== undefined) {
      // Cards cannot travel as text-post attachments (contract 4.1); other kinds are not emulated.
      throw rcError.invalidParameter('attachments');
    }
    const text = body.text;
    if (typeof text !== 'string' || text.length === 0 || text.length > MAX_POST_TEXT) {
      throw rcError.invalidParameter('text');
    }
    const post = this.insertTextPost(chat, botId, text);
    this.deferNotify(chat, this.shaper.shape(postEventBody(post, 'PostAdded')));
    return post;
  }

  /** A bot edits its own post (PATCH); member bots get PostChanged. */
  botUpdatePost(chat: Chat, botId: string, postId: string, body: { text?: unknown }): Post {
    const post = this.findPost(chat, postId);
    if (post.creatorId !== botId) throw rcError.forbidden();
    if (post.type !== 'TextMessage') throw rcError.invalidParameter('postId');
    if (typeof body.text !== 'string' || body.text.length === 0 || body.text.length > MAX_POST_TEXT) {
      throw rcError.invalidParameter('text');
    }
    post.text = body.text;
    post.mentions = this.mentionsOf(body.text);
    post.lastModifiedTime = this.ctx.iso();
    this.ctx.store.changed();
    this.ctx.contentChanged({ kind: 'post', chatIds: [chat.id] });
    this.deferNotify(chat, postEventBody(post, 'PostChanged'));
    return post;
  }

  /** A bot deletes its own post; member bots get PostRemoved `{eventType, id, groupId}`. */
  botDeletePost(chat: Chat, botId: string, postId: string): void {
    const post = this.findPost(chat, postId);
    if (post.creatorId !== botId) throw rcError.forbidden();
    const posts = this.ctx.store.data.posts;
    posts.splice(posts.indexOf(post), 1);
    this.ctx.store.changed();
    this.ctx.contentChanged({ kind: 'post', chatIds: [chat.id] });
    this.deferNotify(chat, { eventType: 'PostRemoved', id: post.id, groupId: post.groupId });
  }

  /** A bot posts an adaptive card; member bots get PostAdded type 'Card' after the answer. */
  botCreateCard(chat: Chat, botId: string, input: unknown): StoredCard {
    this.assertMember(chat, botId);
    const body = validateAdaptiveCard(input);
    const now = this.ctx.iso();
    const post: Post = {
      ...this.emptyPost(chat, botId, now),
      type: 'Card',
      text: null,
    };
    const card: StoredCard = {
      id: uuid(),
      creatorId: botId,
      chatIds: [chat.id],
      postId: post.id,
      body,
      creationTime: now,
      lastModifiedTime: now,
      versions: [{ body, time: now }],
      deleted: false,
    };
    post.attachments = [{ id: card.id, type: 'Card' }];
    this.ctx.store.data.posts.push(post);
    this.ctx.store.data.cards[card.id] = card;
    this.ctx.store.changed();
    this.ctx.contentChanged({ kind: 'post', chatIds: [chat.id] });
    this.deferNotify(chat, this.shaper.shape(postEventBody(post, 'PostAdded')));
    return card;
  }

  /**
   * Full replacement of a card by its creator (PUT). No event is sent: whether the platform
   * notifies card updates is UNCONFIRMED.
   */
  botUpdateCard(cardId: string, botId: string, input: unknown): StoredCard {
    const card = this.liveCard(cardId);
    if (card.creatorId !== botId) throw rcError.forbidden();
    const body = validateAdaptiveCard(input);
    const now = this.ctx.iso();
    card.body = body;
    card.lastModifiedTime = now;
    card.versions.push({ body, time: now });
    this.ctx.store.changed();
    this.ctx.contentChanged({ kind: 'card', chatIds: [...card.chatIds] });
    return card;
  }

  /** Deletes a card (creator only); it stays in history marked deleted. No event (UNCONFIRMED). */
  botDeleteCard(cardId: string, botId: string): void {
    const card = this.liveCard(cardId);
    if (card.creatorId !== botId) throw rcError.forbidden();
    card.deleted = true;
    card.lastModifiedTime = this.ctx.iso();
    this.ctx.store.changed();
    this.ctx.contentChanged({ kind: 'card', chatIds: [...card.chatIds] });
  }

  /** A post of `chat` (TMPostInfo), else 404 CMN-102. */
  post(chat: Chat, postId: string): Post {
    return this.findPost(chat, postId);
  }

  /** A card that exists and was not deleted, else 404 CMN-102. */
  liveCard(cardId: string): StoredCard {
    const card = getOwn(this.ctx.store.data.cards, cardId);
    if (card === undefined || card.deleted) throw rcError.notFound('cardId');
    return card;
  }

  /** 404 unless the bot is a member (non-members cannot see the chat; status UNCONFIRMED). */
  assertMember(chat: Chat, botId: string): void {
    if (!this.chats.isMember(chat, botId)) throw rcError.notFound('chatId');
  }

  private insertTextPost(chat: Chat, creatorId: string, text: string): Post {
    const post: Post = { ...this.emptyPost(chat, creatorId, this.ctx.iso()), text, mentions: this.mentionsOf(text) };
    this.ctx.store.data.posts.push(post);
    this.ctx.store.changed();
    this.ctx.contentChanged({ kind: 'post', chatIds: [chat.id] });
    return post;
  }

  private emptyPost(chat: Chat, creatorId: string, now: string): Post {
    return {
      id: this.ctx.store.nextId(),
      groupId: chat.id,
      type: 'TextMessage',
      text: null,
      creatorId,
      addedPersonIds: null,
      creationTime: now,
      lastModifiedTime: now,
      attachments: null,
      mentions: null,
      activity: null,
      title: null,
      iconUri: null,
      iconEmoji: null,
    };
  }

  private mentionsOf(text: string): Post['mentions'] {
    const data = this.ctx.store.data;
    return parseMentions(text, (type, id) => {
      if (type === 'Person') {
        const person = getOwn(data.persons, id);
        return person === undefined ? undefined : this.directory.displayName(person);
      }
      const chat = getOwn(data.chats, id);
      return chat === undefined ? undefined : (chat.name ?? '');
    });
  }

  private findPost(chat: Chat, postId: string): Post {
    const post = this.ctx.store.data.posts.find((p) => p.id === postId && p.groupId === chat.id);
    if (post === undefined) throw rcError.notFound('postId');
    return post;
  }

  /** Events caused by a REST call go out after its answer, as on the real platform. */
  private deferNotify(chat: Chat, body: object): void {
    this.ctx.later(() => this.notifyBots(chat, body));
  }

  private async notifyBots(chat: Chat, body: object): Promise<DeliveryRecord[]> {
    const bots = chat.members.filter((id) => this.ctx.store.data.bots[id]?.status === 'Enabled');
    const results = await Promise.all(bots.map((botId) => this.deliverer.notifyBot(botId, 'posts', body)));
    return results.flat();
  }
}
