/**
 * Team-messaging REST routes (contract 0, 4, 5) and their legacy `/restapi/v1.0/glip/*`
 * equivalents, plus the extension-info route bots call right after install (contract 1.1).
 *
 * Team and Everyone chats are served without a complete member list (see `listedMembers`).
 * Emulator choices (UNCONFIRMED): creating a post or card answers 201; a bot that is not a
 * member of a chat gets 404 CMN-102 for it (the chat is invisible to it); conversations
 * answer 200 whether found or created; batch person lookups (comma-separated ids) answer
 * 501 CMN-202.
 */
import { Router, type Request, type Response } from 'express';
import { authOf } from './auth.js';
import type { ChatService, MemberRef } from './chats.js';
import type { EmulatorContext } from './context.js';
import { rcError } from './errors.js';
import { getOwn, type Chat } from './model.js';
import {
  cardInfo,
  cardShortInfo,
  chatInfo,
  conversationInfo,
  extensionInfo,
  legacyGroupInfo,
  personInfo,
} from './payloads.js';
import type { PostService } from './posts.js';

/** Largest member list of a conversation request (EX CreateConversationRequest). */
export const MAX_CONVERSATION_MEMBERS = 15;

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw rcError.invalidParameter('body');
  return body as Record<string, unknown>;
}

/** A path parameter as a string (routes registered with several paths are typed loosely). */
function param(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}

/** Messaging and extension routes; expects Bearer auth to have run. */
export function messagingRoutes(ctx: EmulatorContext, chats: ChatService, posts: PostService): Router {
  const router = Router();
  const data = ctx.store.data;

  /** The chat if the calling bot is a member, else 404. */
  const visibleChat = (res: Response, chatId: string): Chat => {
    const chat = getOwn(data.chats, chatId);
    if (chat === undefined || !chat.members.includes(authOf(res).bot.id)) throw rcError.notFound('chatId');
    return chat;
  };

  router.get('/restapi/v1.0/account/:accountId/extension/:extensionId', (req, res) => {
    const { bot } = authOf(res);
    const { accountId, extensionId } = req.params;
    if (accountId !== '~' && accountId !== bot.accountId) throw rcError.notFound('accountId');
    const id = extensionId === '~' ? bot.id : extensionId;
    const person = getOwn(data.persons, id);
    if (person === undefined || person.companyId !== bot.accountId) throw rcError.notFound('extensionId');
    const other = getOwn(data.bots, id);
    if (other !== undefined && other.status !== 'Enabled') throw rcError.notFound('extensionId');
    // Users get a made-up extension number from their id; bots have none.
    const type = other === undefined ? 'User' : 'Bot';
    res.json(extensionInfo(ctx.baseUrl, person, type, other?.extensionNumber ?? id.slice(-3)));
  });

  const postPaths = [
    '/team-messaging/v1/chats/:chatId/posts',
    '/restapi/v1.0/glip/chats/:chatId/posts',
    '/restapi/v1.0/glip/groups/:chatId/posts',
  ];

  router.post(postPaths, (req, res) => {
    const chat = visibleChat(res, param(req, 'chatId'));
    res.status(201).json(posts.botPost(chat, authOf(res).bot.id, asObject(req.body)));
  });

  router.get(postPaths, (req, res) => {
    const chat = visibleChat(res, param(req, 'chatId'));
    const count = Math.min(Math.max(Number(req.query.recordCount ?? 30) || 30, 1), 250);
    const records = data.posts.filter((p) => p.groupId === chat.id).slice(-count).reverse();
    res.json({ records, navigation: {} });
  });

  // EX Chats/Posts `get`: TMPostInfo, text included whatever the event carried.
  router.get('/team-messaging/v1/chats/:chatId/posts/:postId', (req, res) => {
    res.json(posts.post(visibleChat(res, param(req, 'chatId')), param(req, 'postId')));
  });

  router.patch('/team-messaging/v1/chats/:chatId/posts/:postId', (req, res) => {
    const chat = visibleChat(res, param(req, 'chatId'));
    res.json(posts.botUpdatePost(chat, authOf(res).bot.id, param(req, 'postId'), asObject(req.body)));
  });

  router.delete('/team-messaging/v1/chats/:chatId/posts/:postId', (req, res) => {
    posts.botDeletePost(visibleChat(res, param(req, 'chatId')), authOf(res).bot.id, param(req, 'postId'));
    res.status(204).end();
  });

  const newCardPaths = [
    '/team-messaging/v1/chats/:chatId/adaptive-cards',
    '/restapi/v1.0/glip/chats/:chatId/adaptive-cards',
  ];
  router.post(newCardPaths, (req, res) => {
    const chat = visibleChat(res, param(req, 'chatId'));
    res.status(201).json(cardShortInfo(posts.botCreateCard(chat, authOf(res).bot.id, req.body)));
  });

  const cardPaths = ['/team-messaging/v1/adaptive-cards/:cardId', '/restapi/v1.0/glip/adaptive-cards/:cardId'];

  router.get(cardPaths, (req, res) => {
    res.json(cardInfo(posts.liveCard(param(req, 'cardId'))));
  });

  router.put(cardPaths, (req, res) => {
    res.json(cardShortInfo(posts.botUpdateCard(param(req, 'cardId'), authOf(res).bot.id, req.body)));
  });

  router.delete(cardPaths, (req, res) => {
    posts.botDeleteCard(param(req, 'cardId'), authOf(res).bot.id);
    res.status(204).end();
  });

  /**
   * The members a chat's REST answer lists. EX `TMChatInfo.members` is optional, `TMTeamInfo` has
   * none, and D `team-messaging/concepts/teams.md` says there is no way to retrieve a team's members:
   * teams list none ('omit') or only the caller and one other ('partial', which looks like a 1:1).
   */
  const listedMembers = (chat: Chat, botId: string): string[] | undefined => {
    if (chat.type !== 'Team' && chat.type !== 'Everyone') return chat.members;
    if (ctx.options.teamMembers === 'omit') return undefined;
    return [botId, ...chat.members.filter((m) => m !== botId).slice(0, 1)];
  };

  router.get(['/team-messaging/v1/chats/:chatId', '/restapi/v1.0/glip/chats/:chatId'], (req, res) => {
    const chat = visibleChat(res, param(req, 'chatId'));
    res.json(chatInfo(chat, listedMembers(chat, authOf(res).bot.id)));
  });

  router.get('/restapi/v1.0/glip/groups/:chatId', (req, res) => {
    const chat = visibleChat(res, param(req, 'chatId'));
    res.json(legacyGroupInfo(chat, listedMembers(chat, authOf(res).bot.id)));
  });

  router.post(['/team-messaging/v1/conversations', '/restapi/v1.0/glip/conversations'], async (req, res) => {
    const body = req.body === undefined ? {} : asObject(req.body);
    const members = body.members ?? [];
    if (!Array.isArray(members) || members.length > MAX_CONVERSATION_MEMBERS) throw rcError.invalidParameter('members');
    const refs = members.map((m: unknown, i) => {
      if (typeof m !== 'object' || m === null) throw rcError.invalidParameter(`members[${i}]`);
      return m as MemberRef;
    });
    const { chat } = await chats.findOrCreateConversation(authOf(res).bot.id, refs, true);
    res.json(conversationInfo(chat));
  });

  router.get(['/team-messaging/v1/persons/:personId', '/restapi/v1.0/glip/persons/:personId'], (req, res) => {
    if (param(req, 'personId').includes(',')) throw rcError.notSupported('batch person lookup');
    const person = getOwn(data.persons, param(req, 'personId'));
    if (person === undefined) throw rcError.notFound('personId');
    res.json(personInfo(person));
  });

  return router;
}
