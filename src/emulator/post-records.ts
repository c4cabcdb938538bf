/**
 * A chat's posts as a chat client shows them: each with its author's name and, for a card post,
 * the card's current body and version. Shared by the control API (`GET /_emulator/chats/:id/posts`)
 * and the sandbox's web chat page, so both read the same shape.
 */
import type { Emulator } from './emulator.js';
import type { Post } from './model.js';

/** One post as read by a client; `card` only on card posts whose card is known. */
export type PostRecord = Post & {
  creatorName: string;
  card?: { id: string; body: Record<string, unknown>; deleted: boolean; version: number };
};

/**
 * The posts of `chatId`, oldest first; `sinceMs` (exclusive) keeps only newer ones.
 * @example postRecords(emulator, chat.id).filter((r) => r.card !== undefined)
 */
export function postRecords(emulator: Emulator, chatId: string, sinceMs = Number.NaN): PostRecord[] {
  const cards = new Map(emulator.cards({ chatId }).map((c) => [c.id, c]));
  return emulator
    .posts({ chatId })
    .filter((p) => Number.isNaN(sinceMs) || Date.parse(p.creationTime) > sinceMs)
    .map((p) => {
      const card = p.type === 'Card' ? cards.get(p.attachments?.[0]?.id ?? '') : undefined;
      const creator = emulator.person(p.creatorId);
      const creatorName = creator === undefined ? '' : `${creator.firstName} ${creator.lastName}`.trim();
      if (card === undefined) return { ...p, creatorName };
      return { ...p, creatorName, card: { id: card.id, body: card.body, deleted: card.deleted, version: card.versions.length } };
    });
}
