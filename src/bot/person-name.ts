import type { ChatClient } from '../platform/chat-client.js';

/** "Alice Archer", or "person 123" when RingCentral cannot say (never fails a turn over a name). */
export async function personName(client: ChatClient, personId: string): Promise<string> {
  const p = await client.getPerson(personId).catch(() => undefined);
  const name = [p?.firstName, p?.lastName].filter(Boolean).join(' ').trim();
  return name || `person ${personId}`;
}
