import type { ChatClient } from '../platform/chat-client.js';

/**
 * Who `audit …` asks about when it names a person rather than an app: a mention (its markup is
 * stripped from the text, so the message's mentions say whom), `person <id>` or `@<id>`; each may
 * end with `page N`. A bare number that names no app is tried as a person's ID by the command
 * itself. An email address is not looked up: RingCentral finds people by email only by opening a
 * conversation with them (contract 5), even with someone of another account, so `email` tells the
 * caller to mention them or give their id instead. Nothing typed is echoed as markup: callers
 * show `asTyped` through plainText.
 *
 * @example
 *   personArgument('', ['4041'])              // { kind: 'person', page: 1, id: '4041', ... }
 *   personArgument('person 4041 page 2', [])  // { kind: 'person', page: 2, id: '4041', ... }
 *   personArgument('bob@acme.example', [])    // { kind: 'email' }
 */
export type PersonArgument =
  | { kind: 'none' }
  | { kind: 'several' }
  | { kind: 'email' }
  | { kind: 'person'; asTyped: string; page: number; id: string | undefined };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ID = /^[0-9A-Za-z_-]{1,64}$/;

export function personArgument(argument: string, mentions: readonly string[]): PersonArgument {
  const paged = /^(.*?)\s*\bpage\s+(\d{1,6})$/i.exec(argument.trim());
  const rest = (paged ? paged[1]! : argument).trim();
  const page = paged ? Math.max(1, Number(paged[2])) : 1;
  if (rest === '' && mentions.length > 1) return { kind: 'several' };
  if (rest === '' && mentions.length === 1) {
    const id = mentions[0]!;
    return { kind: 'person', asTyped: id, page, id };
  }
  const named = /^person\s+(\S+)$/i.exec(rest)?.[1] ?? /^@(\S+)$/.exec(rest)?.[1] ?? (EMAIL.test(rest) ? rest : undefined);
  if (named === undefined) return { kind: 'none' };
  const value = named.replace(/^@/, '');
  if (EMAIL.test(value)) return { kind: 'email' };
  return { kind: 'person', asTyped: named, page, id: ID.test(value) ? value : undefined };
}

/** The answer to `audit <email>`: what to type instead. */
export const NO_EMAIL_LOOKUP =
  'I do not look people up by email address: RingCentral would have me open a conversation with whoever has it, even outside this account. Mention them instead (type @ and choose them), or give their person ID: **audit person <ID>**.';

/** The person behind an ID, when RingCentral knows them as one of this account's people. */
export async function findPerson(client: ChatClient, accountId: string, personId: string): Promise<{ id: string; name: string } | undefined> {
  if (!ID.test(personId)) return undefined;
  const p = await client.getPerson(personId).catch(() => undefined);
  if (!p) return undefined;
  // Someone of another account is none of this account's business.
  if (p.companyId && String(p.companyId) !== accountId) return undefined;
  const name = [p.firstName, p.lastName].filter(Boolean).join(' ').trim() || `person ${personId}`;
  return { id: personId, name };
}
