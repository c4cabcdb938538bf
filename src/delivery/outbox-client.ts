import type { Card, ChatClient } from '../platform/chat-client.js';
import { OutboxDelayedError, type Outbox } from './outbox.js';

/**
 * A ChatClient whose posts and card changes go through the outbox; everything else goes straight
 * to RingCentral. A text RingCentral does not take now resolves all the same (the outbox sends it
 * later); a new card or a card change that does not go through now fails, as it always did. Keys: a turn's client (one delivery being handled) names its messages after the
 * delivery and their order in it (`turn:<kind>:<event id>:<n>`), so handling the same delivery
 * again after a crash sends nothing already sent; any other client gives each message a fresh key.
 *
 * @example
 *   const client = outboxClient(outbox, accountId, raw);                       // background work
 *   const turn = outboxClient(outbox, accountId, raw, { turn: 'submit:e9', chatId }); // a click
 */
export function outboxClient(outbox: Outbox, accountId: string, raw: ChatClient, options: { turn?: string; chatId?: string | undefined } = {}): ChatClient {
  let n = 0;
  const key = () => (options.turn ? `turn:${options.turn}:${n++}` : outbox.freshKey());
  const sent = async (p: Promise<{ id?: string }>) => ({ id: (await p).id ?? '' });
  // A text the outbox holds will go out: for the caller it is done, not failed (an apology for a
  // reply that is only late would be wrong). A new card's id is needed at once, and a card change
  // that did not land is the caller's to handle (a form says so and offers its button again;
  // the outbox still sends the change, unless a newer one for the card replaces it first).
  const queued = (err: unknown) => {
    if (err instanceof OutboxDelayedError) return { id: '' };
    throw err;
  };
  return {
    ...raw,
    getSelf: () => raw.getSelf(),
    openDirect: (personId) => raw.openDirect(personId),
    openDirectByEmail: (email) => raw.openDirectByEmail(email),
    getPerson: (id) => raw.getPerson(id),
    getChat: (id) => raw.getChat(id),
    getPost: (chatId, postId) => raw.getPost(chatId, postId),
    createSubscription: (r) => raw.createSubscription(r),
    getSubscription: (id) => raw.getSubscription(id),
    renewSubscription: (id) => raw.renewSubscription(id),
    deleteSubscription: (id) => raw.deleteSubscription(id),
    postText: (chatId: string, text: string) => sent(outbox.send({ accountId, key: key(), op: 'postText', target: chatId, payload: text })).catch(queued),
    postCard: (chatId: string, card: Card) => sent(outbox.send({ accountId, key: key(), op: 'postCard', target: chatId, payload: card })),
    async updateCard(cardId: string, card: Card) {
      await outbox.send({ accountId, key: key(), op: 'updateCard', target: cardId, payload: card, chatId: options.chatId });
    },
  };
}
