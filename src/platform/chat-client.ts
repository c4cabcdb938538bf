/**
 * What the bot needs from RingCentral, as one interface. The only implementation talks through
 * @ringcentral/sdk (rc-client.ts); tests run it against the emulator, never a mock.
 */
export interface Person {
  id: string;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  /** The person's account (TMPersonInfo.companyId): someone of another account is not one of ours. */
  companyId?: string | null;
}

export interface ChatInfo {
  id: string;
  type: string;
  name?: string | null;
  /**
   * Empty when RingCentral lists none. Never a basis for trust: nothing says the list is complete
   * for Team or Everyone chats (EX `TMChatInfo.members` is optional; D `team-messaging/concepts/teams.md`:
   * "there is not currently a way to retrieve the members of a team").
   */
  members: string[];
}

/** A post as `GET /team-messaging/v1/chats/{chatId}/posts/{postId}` answers it (EX TMPostInfo). */
export interface PostInfo {
  id: string;
  chatId: string;
  creatorId: string;
  /** Null for cards, files and joins. */
  text: string | null;
  /** `type` is not promised on a mention (contract appendix "Mentions"). */
  mentions: { id: string; type?: string | undefined; name?: string | null | undefined }[];
}

/** A post as a chat's post list gives it; `cardId` for a card post. */
export interface RecentPost {
  id: string;
  creatorId: string;
  text: string | null;
  creationTime?: string | undefined;
  cardId?: string | undefined;
}

export interface SubscriptionInfo {
  id: string;
  status: string;
  expirationTime?: string;
  eventFilters: string[];
  deliveryMode?: { transportType?: string; address?: string };
}

export interface CreateSubscription {
  eventFilters: string[];
  deliveryMode: { transportType: 'WebHook'; address: string; verificationToken: string };
  expiresIn: number;
}

/** An Adaptive Card as posted to RingCentral (type AdaptiveCard, version 1.3). */
export type Card = Record<string, unknown> & { type: 'AdaptiveCard' };

export interface ChatClient {
  /** The bot's own extension: its id (a string, though RingCentral sends a number) and account. */
  getSelf(): Promise<{ id: string; accountId: string }>;
  postText(chatId: string, text: string): Promise<{ id: string }>;
  postCard(chatId: string, card: Card): Promise<{ id: string }>;
  updateCard(cardId: string, card: Card): Promise<void>;
  /** Finds or opens the direct conversation between the bot and a person; returns its chat id. */
  openDirect(personId: string): Promise<string>;
  /**
   * The direct conversation with the person who has this email address, and their id; undefined
   * when RingCentral knows nobody by it (`POST /team-messaging/v1/conversations` takes members by
   * email). Check the person's account before trusting the answer.
   */
  openDirectByEmail(email: string): Promise<{ chatId: string; personId: string } | undefined>;
  getPerson(personId: string): Promise<Person>;
  getChat(chatId: string): Promise<ChatInfo>;
  /** One post, for an event that came without its text (contract appendix "Posts without text"). */
  getPost(chatId: string, postId: string): Promise<PostInfo>;
  /**
   * The chat's newest posts, newest first (`GET .../chats/{chatId}/posts`, Medium group): the outbox
   * looks there for a post whose sending it could not confirm. Optional: a client may lack it.
   */
  recentPosts?(chatId: string): Promise<RecentPost[]>;
  /** A card as RingCentral holds it (`GET /team-messaging/v1/adaptive-cards/{cardId}`). */
  getCard?(cardId: string): Promise<Card>;
  createSubscription(request: CreateSubscription): Promise<SubscriptionInfo>;
  getSubscription(id: string): Promise<SubscriptionInfo | undefined>;
  renewSubscription(id: string): Promise<SubscriptionInfo>;
  deleteSubscription(id: string): Promise<void>;
}
