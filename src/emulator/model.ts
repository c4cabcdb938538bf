/**
 * The emulator's persisted data model. Everything here is plain JSON so that the whole
 * state can be written to `statePath` and read back by a restarted sandbox.
 *
 * Ids are numeric strings (accounts, extensions, chats, posts) drawn from one counter so
 * that a post id can never collide with a chat id; card and subscription ids are UUIDs, which
 * keeps the card id space visibly distinct from post ids (contract 4.2, 10.10).
 */

/** REST chat type enum (contract 5, TMChatInfo). */
export type ChatType = 'Everyone' | 'Team' | 'Group' | 'Direct' | 'Personal';

/** Chat type as it appears in chat events (contract 3.6) – differs from the REST enum. */
export type ChatEventType = 'Everyone' | 'Team' | 'Group' | 'PrivateChat' | 'PersonalChat';

/** Private bots get their token POSTed; public bots get a code to exchange (contract 1.1, 1.2). */
export type AppKind = 'private' | 'public';

/** A RingCentral customer account. */
export interface Account {
  id: string;
  name: string;
  creationTime: string;
  /** The account's "All Employees" chat (type Everyone). */
  everyoneChatId: string;
}

/** A person (user or bot extension) in TMPersonInfo shape (contract 5). */
export interface Person {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  avatar: null;
  companyId: string;
  creationTime: string;
  lastModifiedTime: string;
}

/** An app registered in the (emulated) Developer Console. */
export interface App {
  clientId: string;
  clientSecret: string;
  /** Key for `X-Glip-Signature` on interactive-message submits (contract 6.2). */
  sharedSecret: string;
  name: string;
  kind: AppKind;
  redirectUri: string;
  /** "Interactive Messages" outbound webhook URL; submits go here (contract 6.1). */
  outboundWebhookUrl: string | null;
  creationTime: string;
}

/** An installed bot extension. */
export interface Bot {
  id: string;
  clientId: string;
  accountId: string;
  installerId: string;
  extensionNumber: string;
  status: 'Enabled' | 'Deleted';
  installTime: string;
  personalChatId: string;
  /** Install-time events (extension Create, GroupJoined ×2) still to be sent on the first subscription. */
  welcomePending: boolean;
  /** Remaining subscription creates that must fail with SUB-406 (contract 1.4). */
  subscribeFailuresLeft: number;
  /** Epoch ms before which subscription creates fail with SUB-406, or null. */
  readyAt: number | null;
}

/** A permanent bot access token (contract 1.3). The token string is the record's key. */
export interface TokenRecord {
  botId: string;
  clientId: string;
  accountId: string;
  scope: string;
  issuedAt: string;
  revoked: boolean;
}

/** A one-time authorization code handed to a public bot (contract 1.2). The code is the key. */
export interface AuthCode {
  clientId: string;
  botId: string;
  redirectUri: string;
  accessToken: string;
  issuedAt: number;
  used: boolean;
}

/** A chat (team, group, direct, personal or everyone). */
export interface Chat {
  id: string;
  accountId: string;
  type: ChatType;
  name: string | null;
  description: string | null;
  status: 'Active' | 'Archived';
  isPublic: boolean | null;
  members: string[];
  creationTime: string;
  lastModifiedTime: string;
}

/** One entry of a post's `mentions` array (contract 3.3). */
export interface Mention {
  id: string;
  type: 'Person' | 'Team';
  name: string;
}

/** A post attachment reference; cards are referenced as `{id: cardId, type: 'Card'}`. */
export interface PostAttachment {
  id: string;
  type: 'Card';
}

/** A post, in TMPostInfo / PostAdded-body shape (contract 3.2, 4.1); optional fields are null. */
export interface Post {
  id: string;
  groupId: string;
  type: 'TextMessage' | 'Card';
  text: string | null;
  creatorId: string;
  addedPersonIds: string[] | null;
  creationTime: string;
  lastModifiedTime: string;
  attachments: PostAttachment[] | null;
  mentions: Mention[] | null;
  activity: string | null;
  title: string | null;
  iconUri: string | null;
  iconEmoji: string | null;
}

/** A JSON Adaptive Card as posted by a bot (validated: `type: 'AdaptiveCard'`, `body` array). */
export type AdaptiveCardJson = Record<string, unknown> & {
  type: 'AdaptiveCard';
  version: string;
  body: unknown[];
};

/** One version of a card: the body as created or as replaced by a PUT. */
export interface CardVersion {
  body: AdaptiveCardJson;
  time: string;
}

/** A stored adaptive card with its full current body and update history. */
export interface StoredCard {
  id: string;
  creatorId: string;
  chatIds: string[];
  /** The post that carries this card in its chat (type 'Card'). */
  postId: string;
  body: AdaptiveCardJson;
  creationTime: string;
  lastModifiedTime: string;
  /** Every version, oldest first; the last one equals `body`. */
  versions: CardVersion[];
  deleted: boolean;
}

/** Delivery transports the emulator supports. */
export type Transport = 'WebHook' | 'WebSocket';

/** A notification subscription owned by a bot. */
export interface SubscriptionRecord {
  id: string;
  botId: string;
  eventFilters: string[];
  transport: Transport;
  /** WebHook address; null for WebSocket. */
  address: string | null;
  verificationToken: string | null;
  /** Lifetime requested at the last create/renew, in seconds. */
  expiresIn: number;
  /** Epoch ms; WebSocket subscriptions never expire while their session lives. */
  expiresAt: number;
  creationTime: string;
  status: 'Active' | 'Blacklisted';
  blacklistedData: { reason: string; blacklistedAt: string } | null;
  consecutiveFailures: number;
  /** The WebSocket session (wsc token) this subscription lives on; null for WebHook. */
  wsSession: string | null;
  /** Epoch ms of the last renewal reminder sent, or null. */
  lastReminderAt: number | null;
}

/** The whole persisted state. */
export interface StateData {
  version: 1;
  seq: number;
  accounts: Record<string, Account>;
  persons: Record<string, Person>;
  apps: Record<string, App>;
  bots: Record<string, Bot>;
  tokens: Record<string, TokenRecord>;
  codes: Record<string, AuthCode>;
  chats: Record<string, Chat>;
  /** Posts in creation order. */
  posts: Post[];
  cards: Record<string, StoredCard>;
  subscriptions: Record<string, SubscriptionRecord>;
}

/** A fresh, empty state. */
export function emptyState(): StateData {
  return {
    version: 1,
    seq: 1_000_000,
    accounts: {},
    persons: {},
    apps: {},
    bots: {},
    tokens: {},
    codes: {},
    chats: {},
    posts: [],
    cards: {},
    subscriptions: {},
  };
}

/**
 * `record[key]` for own properties only. Keys come from URLs and request bodies, and a key
 * like "constructor" must not resolve to something on Object.prototype.
 */
export function getOwn<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
