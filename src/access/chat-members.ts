import type { ChatEvent } from '../bot/handle-notification.js';
import type { ChatClient } from '../platform/chat-client.js';
import type { Store } from '../store/store.js';

/**
 * The members of the creators' chat (CREATORS=chat:<id>), as RingCentral says they are when
 * someone registers. RingCentral's answer for a chat (`GET /team-messaging/v1/chats/{id}`) lists a
 * group's members, but nothing promises a complete list for a team (contract appendix "Team
 * members"; D `team-messaging/concepts/teams.md`: "there is not currently a way to retrieve the
 * members of a team"). The chat events the bot receives as a member do list them all (GroupJoined
 * when it is added, GroupChanged when someone else joins or leaves, contract 3.6), so the newest
 * one is kept, and a change takes effect as soon as its event arrives.
 *
 * Lists are kept for every team the bot is in, not only the one CREATORS names now: a team the bot
 * joined before CREATORS named it is known at once, and a list kept for an earlier CREATORS chat
 * never goes stale while the bot stays in it (it is dropped when the bot leaves, as it then hears
 * of no change). Keyed by chat id; only ids are kept.
 *
 * A person is a member when the chat's answer lists them (a list may be partial, never wrong),
 * when a group's complete answer leaves them out they are not, and otherwise the kept list decides.
 * With no kept list (the bot has heard nothing of the chat), RingCentral's answer now is all there
 * is: it lists others but not them, they are not; it lists nobody, membership is unknown, and the
 * caller refuses rather than guesses.
 *
 * @example
 *   const members = createChatMembers({ store });
 *   await members.remember(event); // from every chat event
 *   await members.membership(client, chatId, personId, botId); // 'member' | 'not-member' | 'unknown'
 */
export interface ChatMembers {
  chatId: string;
  members: string[];
  /** The chat's lastModifiedTime in the event, when it had one: an older event never replaces a newer one. */
  modifiedAt: string | null;
}

export type Membership = 'member' | 'not-member' | 'unknown';

/** Chat types whose REST answer may leave members out (REST and event spellings). */
const PARTIAL_TYPES = new Set(['Team', 'Everyone']);

export function createChatMembers({ store }: { store: Store }) {
  const kept = store.collection<ChatMembers>('chat-members');

  async function remember(event: ChatEvent): Promise<void> {
    if (event.kind === 'chat-changed' && event.botLeft) {
      // Out of the chat, the bot hears of no change any more: what it kept would go stale.
      await kept.delete(event.chatId);
      return;
    }
    // A group's members are asked of RingCentral when needed; only teams (or a chat of no stated type) are worth keeping.
    if (event.chatType !== undefined && !PARTIAL_TYPES.has(event.chatType)) return;
    const next: ChatMembers = { chatId: event.chatId, members: [...new Set(event.members)], modifiedAt: event.modifiedAt ?? null };
    // Events may arrive out of order: the one about the newer state wins (the same time: the later arrival).
    await kept.update(event.chatId, (cur) => (cur?.modifiedAt && next.modifiedAt && next.modifiedAt < cur.modifiedAt ? undefined : next));
  }

  async function membership(client: ChatClient, chatId: string, personId: string, botId: string): Promise<Membership> {
    const chat = await client.getChat(chatId).catch(() => undefined);
    // The bot itself says nothing about who else is in it.
    const listed = (chat?.members ?? []).filter((id) => id !== botId);
    if (listed.includes(personId)) return 'member';
    // A group's answer lists everyone: asked now, it is the truth now.
    if (chat && !PARTIAL_TYPES.has(chat.type) && listed.length > 0) return 'not-member';
    const known = await kept.get(chatId);
    if (known && known.members.length > 0) return known.members.includes(personId) ? 'member' : 'not-member';
    // Nothing learned from the chat's events: RingCentral's answer now is what there is.
    return listed.length > 0 ? 'not-member' : 'unknown';
  }

  return { remember, membership };
}
