import { z } from 'zod';

/**
 * RingCentral notifications (webhook bodies and WebSocket ServerNotification bodies) parsed into
 * a small typed union. Routing is on `body.eventType`, never on `event`: chat events have arrived
 * with the posts filter in `event`, and the docs show a double-slash variant.
 *
 * @example
 *   const e = parseNotification(json);
 *   if (e.kind === 'post') reply(e.chatId, ...);
 */
/** `type` is in every documented sample, but nothing promises it (contract appendix "Mentions"). */
export type Mention = { id: string; type?: string | undefined; name?: string | null | undefined };

export type BotEvent =
  | { kind: 'post'; uuid: string; ownerId: string | undefined; subscriptionId: string | undefined; postId: string; chatId: string; creatorId: string; postType: string | undefined; text: string | null; mentions: Mention[] }
  | { kind: 'joined'; uuid: string; ownerId: string | undefined; subscriptionId: string | undefined; chatId: string; chatType: string | undefined; members: string[]; modifiedAt: string | undefined }
  /** GroupChanged (someone else joined or left) and GroupLeft (the bot left or was removed). */
  | { kind: 'chat-changed'; uuid: string; ownerId: string | undefined; subscriptionId: string | undefined; chatId: string; chatType: string | undefined; members: string[]; modifiedAt: string | undefined; botLeft: boolean }
  | { kind: 'uninstalled'; uuid: string; ownerId: string | undefined; subscriptionId: string | undefined; extensionId: string }
  | { kind: 'renewal-reminder'; uuid: string; ownerId: string | undefined; subscriptionId: string }
  | { kind: 'other'; uuid: string; ownerId: string | undefined; subscriptionId: string | undefined; eventType: string | undefined };

const id = z.union([z.string(), z.number()]).transform(String);

const Envelope = z.looseObject({
  uuid: z.string().max(512).optional(),
  event: z.string().optional(),
  subscriptionId: z.string().optional(),
  ownerId: id.optional(),
  body: z.looseObject({}).optional(),
});

const PostBody = z.looseObject({
  id,
  groupId: id,
  creatorId: id,
  type: z.string().nullish(),
  // Missing on some WebSocket deliveries (contract appendix "Posts without text"): the handler fetches it.
  text: z.string().nullish(),
  mentions: z.array(z.looseObject({ id, type: z.string().nullish(), name: z.string().nullish() })).nullish(),
});

const ChatBody = z.looseObject({
  id,
  type: z.string().optional(),
  // Captures show plain id strings; the old spec shows {id} objects. Accept both.
  members: z.array(z.union([id, z.looseObject({ id })])).nullish(),
  lastModifiedTime: z.string().nullish(),
});

const ExtensionBody = z.looseObject({ extensionId: id.optional() });

export class NotificationError extends Error {
  readonly code = 'NOTIFICATION_INVALID';
}

export function parseNotification(input: unknown): BotEvent {
  const envelope = Envelope.safeParse(input);
  if (!envelope.success) throw new NotificationError('notification is not a JSON object envelope');
  const { uuid = '', subscriptionId, event = '' } = envelope.data;
  let body = (envelope.data.body ?? {}) as Record<string, unknown>;
  // An older documented shape nests the payload under body.data.
  if (body.eventType === undefined && typeof body.data === 'object' && body.data !== null) body = body.data as Record<string, unknown>;
  const ownerId = envelope.data.ownerId ?? (body.ownerId === undefined ? undefined : String(body.ownerId));
  const base = { uuid, ownerId, subscriptionId };
  const eventType = typeof body.eventType === 'string' ? body.eventType : undefined;

  if (eventType === undefined && subscriptionId && event.startsWith('/restapi/v1.0/subscription/')) {
    return { ...base, kind: 'renewal-reminder', subscriptionId };
  }
  switch (eventType) {
    case 'PostAdded': {
      const post = PostBody.safeParse(body);
      if (!post.success) throw new NotificationError('PostAdded body is missing id, groupId or creatorId');
      const p = post.data;
      const mentions = (p.mentions ?? []).map((m) => ({ id: m.id, type: m.type ?? undefined, name: m.name }));
      return { ...base, kind: 'post', postId: p.id, chatId: p.groupId, creatorId: p.creatorId, postType: p.type ?? undefined, text: p.text ?? null, mentions };
    }
    case 'GroupJoined':
    case 'GroupChanged':
    case 'GroupLeft': {
      const chat = ChatBody.safeParse(body);
      if (!chat.success) throw new NotificationError(`${eventType} body is missing the chat id`);
      const members = (chat.data.members ?? []).map((m) => (typeof m === 'string' ? m : m.id));
      const fields = { chatId: chat.data.id, chatType: chat.data.type, members, modifiedAt: chat.data.lastModifiedTime ?? undefined };
      if (eventType === 'GroupJoined') return { ...base, kind: 'joined', ...fields };
      return { ...base, kind: 'chat-changed', ...fields, botLeft: eventType === 'GroupLeft' };
    }
    case 'Delete': {
      const ext = ExtensionBody.parse(body);
      const extensionId = ext.extensionId ?? ownerId;
      if (!extensionId) throw new NotificationError('extension Delete without an extension id');
      return { ...base, kind: 'uninstalled', extensionId };
    }
    default:
      return { ...base, kind: 'other', eventType };
  }
}

/**
 * Removes mention markup (`![:Person](id)`, `![:Team](id)`, ...) and tidies the spacing left.
 * Commands are read without any mention: "@Bob @Registrar help" is "help". Nothing the bot
 * echoes back can then carry markup that would notify someone.
 */
export function stripMentions(text: string): string {
  return text.replace(/!\[:[A-Za-z]+\]\([^)\s]*\)/g, ' ').replace(/\s+/g, ' ').trim();
}
