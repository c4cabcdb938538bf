/**
 * Wire shapes built from the model: REST responses (EX definitions) and notification bodies
 * (contract 3). Kept apart from the routes so REST, WebSocket and control routes agree.
 */
import type {
  Chat,
  ChatEventType,
  ChatType,
  Person,
  Post,
  StoredCard,
  SubscriptionRecord,
} from './model.js';

/** TMChatInfo (contract 5). */
export interface ChatInfo {
  id: string;
  type: ChatType;
  public?: boolean;
  name?: string;
  description?: string;
  status: 'Active' | 'Archived';
  creationTime: string;
  lastModifiedTime: string;
  /** Optional in EX `TMChatInfo`; never promised complete for teams (contract appendix "Team members"). */
  members?: { id: string }[];
}

/** Legacy GlipGroupInfo (`/restapi/v1.0/glip/groups/{id}`): event type enum, plain member ids. */
export interface LegacyGroupInfo {
  id: string;
  type: ChatEventType;
  isPublic: boolean | null;
  name: string | null;
  description: string | null;
  members?: string[];
  creationTime: string;
  lastModifiedTime: string;
}

/** Chat event body (contract 3.6): captures always list the members. */
export interface ChatEventBody extends LegacyGroupInfo {
  members: string[];
  status: 'Active' | 'Archived';
  eventType: 'GroupJoined' | 'GroupLeft' | 'GroupChanged' | 'GroupRenamed';
}

/** PostAdded/PostChanged body (contract 3.2): every field present, optional ones null. */
export interface PostEventBody extends Post {
  removedPersonIds: string[] | null;
  eventType: 'PostAdded' | 'PostChanged';
}

/** PostRemoved body carries only these (contract 3.2). */
export interface PostRemovedBody {
  eventType: 'PostRemoved';
  id: string;
  groupId: string;
}

/** Extension event body (contract 3.7). */
export interface ExtensionEventBody {
  extensionId: string;
  eventType: 'Create' | 'Update' | 'Delete';
  ownerId: string;
}

/** SubscriptionInfo (contract 2.2). */
export interface SubscriptionInfo {
  uri: string;
  id: string;
  eventFilters: string[];
  expirationTime: string;
  expiresIn: number;
  status: 'Active' | 'Blacklisted';
  creationTime: string;
  deliveryMode: { transportType: 'WebHook' | 'WebSocket'; address?: string; encryption: false };
  blacklistedData?: { reason: string; blacklistedAt: string };
}

/** AdaptiveCardShortInfo (contract 4.2). */
export interface CardShortInfo {
  id: string;
  creationTime: string;
  lastModifiedTime: string;
  $schema?: string;
  type: 'AdaptiveCard';
  version: string;
  creator: { id: string };
  chatIds: string[];
}

const EVENT_TYPE: Record<ChatType, ChatEventType> = {
  Direct: 'PrivateChat',
  Personal: 'PersonalChat',
  Group: 'Group',
  Team: 'Team',
  Everyone: 'Everyone',
};

/** The chat-event type of a REST chat type (contract 3.6 note). */
export function chatEventType(type: ChatType): ChatEventType {
  return EVENT_TYPE[type];
}

/** TMChatInfo; optional fields are omitted when unset, `members` when `members` is undefined. */
export function chatInfo(chat: Chat, members: string[] | undefined): ChatInfo {
  return {
    id: chat.id,
    type: chat.type,
    ...(chat.isPublic === null ? {} : { public: chat.isPublic }),
    ...(chat.name === null ? {} : { name: chat.name }),
    ...(chat.description === null ? {} : { description: chat.description }),
    status: chat.status,
    creationTime: chat.creationTime,
    lastModifiedTime: chat.lastModifiedTime,
    ...(members === undefined ? {} : { members: members.map((id) => ({ id })) }),
  };
}

/** Legacy group info; `members` is omitted when `members` is undefined. */
export function legacyGroupInfo(chat: Chat, members: string[] | undefined): LegacyGroupInfo {
  return {
    id: chat.id,
    type: chatEventType(chat.type),
    isPublic: chat.isPublic,
    name: chat.name,
    description: chat.description,
    ...(members === undefined ? {} : { members: [...members] }),
    creationTime: chat.creationTime,
    lastModifiedTime: chat.lastModifiedTime,
  };
}

/** Chat event body with members as plain id strings (captures, contract 3.6). */
export function chatEventBody(chat: Chat, eventType: ChatEventBody['eventType']): ChatEventBody {
  return { ...legacyGroupInfo(chat, chat.members), members: [...chat.members], status: chat.status, eventType };
}

/** TMConversationInfo (contract 5). */
export function conversationInfo(chat: Chat): Omit<ChatInfo, 'status' | 'public' | 'name' | 'description'> {
  return {
    id: chat.id,
    type: chat.type,
    creationTime: chat.creationTime,
    lastModifiedTime: chat.lastModifiedTime,
    members: chat.members.map((id) => ({ id })),
  };
}

/** PostAdded / PostChanged body. */
export function postEventBody(post: Post, eventType: PostEventBody['eventType']): PostEventBody {
  return { ...post, removedPersonIds: null, eventType };
}

/** TMPersonInfo. */
export function personInfo(person: Person): Person {
  return { ...person };
}

/** GetExtensionInfoResponse subset bots read (contract 1.1: `id` is a number). */
export function extensionInfo(baseUrl: string, person: Person, type: 'Bot' | 'User', extensionNumber: string) {
  const accountUri = `${baseUrl}/restapi/v1.0/account/${person.companyId}`;
  return {
    uri: `${accountUri}/extension/${person.id}`,
    id: Number(person.id),
    extensionNumber,
    contact: { firstName: person.firstName, lastName: person.lastName, email: person.email },
    name: `${person.firstName} ${person.lastName}`.trim(),
    type,
    status: 'Enabled' as const,
    account: { uri: accountUri, id: person.companyId },
  };
}

/** SubscriptionInfo; `expiresIn` is the remaining lifetime in seconds. */
export function subscriptionInfo(baseUrl: string, sub: SubscriptionRecord, now: number): SubscriptionInfo {
  const info: SubscriptionInfo = {
    uri: `${baseUrl}/restapi/v1.0/subscription/${sub.id}`,
    id: sub.id,
    eventFilters: [...sub.eventFilters],
    expirationTime: new Date(sub.expiresAt).toISOString(),
    expiresIn: Math.max(0, Math.round((sub.expiresAt - now) / 1000)),
    status: sub.status,
    creationTime: sub.creationTime,
    deliveryMode:
      sub.transport === 'WebHook'
        ? { transportType: 'WebHook', address: sub.address ?? '', encryption: false }
        : { transportType: 'WebSocket', encryption: false },
  };
  if (sub.blacklistedData !== null) info.blacklistedData = { ...sub.blacklistedData };
  return info;
}

/** AdaptiveCardShortInfo. */
export function cardShortInfo(card: StoredCard): CardShortInfo {
  const schema = card.body.$schema;
  return {
    id: card.id,
    creationTime: card.creationTime,
    lastModifiedTime: card.lastModifiedTime,
    ...(typeof schema === 'string' ? { $schema: schema } : {}),
    type: 'AdaptiveCard',
    version: card.body.version,
    creator: { id: card.creatorId },
    chatIds: [...card.chatIds],
  };
}

/** AdaptiveCardInfo: the short info plus the card's current content. */
export function cardInfo(card: StoredCard): Record<string, unknown> {
  return { ...card.body, ...cardShortInfo(card) };
}
