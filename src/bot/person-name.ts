import type { ChatClient } from '../platform/chat-client.js';

/**
 * "Alice Archer", or "person 123" when RingCentral cannot say (never fails a turn over a name).
 * The name is as RingCentral has it, markup and all: show it with plainText.
 */
export async function personName(client: ChatClient, personId: string): Promise<string> {
  const p = await client.getPerson(personId).catch(() => undefined);
  const name = [p?.firstName, p?.lastName].filter(Boolean).join(' ').trim();
  return name || `person ${personId}`;
}

/**
 * A personName that asks RingCentral at most once per person: for one answer that names the same
 * people on many lines (`pending`, `audit`). Lookups running at the same time share one request.
 *
 * @example
 *   const nameOf = personNames(client);
 *   const lines = await Promise.all(requests.map(async (r) => `${await nameOf(r.requesterId)}: ...`));
 */
export function personNames(client: ChatClient): (personId: string) => Promise<string> {
  const asked = new Map<string, Promise<string>>();
  return (personId) => {
    let name = asked.get(personId);
    if (!name) asked.set(personId, (name = personName(client, personId)));
    return name;
  };
}
