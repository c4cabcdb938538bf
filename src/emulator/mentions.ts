/** Mention markup in post text (contract 3.3). */
import type { Mention } from './model.js';

const MENTION_MARKUP = /!\[:(Person|Team)\]\(([^)\s]+)\)/g;

/**
 * Derives a post's `mentions` from `![:Person](id)` / `![:Team](id)` markup.
 * Returns `null` (never `[]`) when there is none, as the platform does. Ids the emulator
 * cannot resolve are skipped (their display name is unknown); repeats are listed once.
 */
export function parseMentions(
  text: string | null,
  nameOf: (type: Mention['type'], id: string) => string | undefined,
): Mention[] | null {
  if (text === null) return null;
  const mentions: Mention[] = [];
  for (const match of text.matchAll(MENTION_MARKUP)) {
    const type = match[1] as Mention['type'];
    const id = match[2] ?? '';
    const name = nameOf(type, id);
    if (name === undefined || mentions.some((m) => m.id === id && m.type === type)) continue;
    mentions.push({ id, type, name });
  }
  return mentions.length > 0 ? mentions : null;
}
