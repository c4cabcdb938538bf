/**
 * What the bot needs from RingCentral, as one interface. The only implementation talks through
 * @ringcentral/sdk (rc-client.ts); tests run it against the emulator, never a mock.
 */
export interface Person {
  id: string;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
}

export interface ChatInfo {
  id: string;
  type: string;
  name?: string | null;
  members: string[];
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
  getPerson(personId: string): Promise<Person>;
  getChat(chatId: string): Promise<ChatInfo>;
  createSubscription(request: CreateSubscription): Promise<SubscriptionInfo>;
  getSubscription(id: string): Promise<SubscriptionInfo | undefined>;
  renewSubscription(id: string): Promise<SubscriptionInfo>;
  deleteSubscription(id: string): Promise<void>;
}
