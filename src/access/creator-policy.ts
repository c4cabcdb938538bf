import type { Config } from '../config.js';
import type { ChatClient } from '../platform/chat-client.js';
import type { Collection } from '../store/store.js';
import type { AccessRequest } from './access-request.js';
import type { createChatMembers } from './chat-members.js';

/**
 * Who may register apps (CREATORS), checked each time someone tries: admins (ADMIN_IDS) and people
 * an admin granted access always may; otherwise everyone (`*`), the people listed, or the members
 * of a chat as RingCentral says they are now (chat-members.ts).
 *
 * @example
 *   const policy = createCreatorPolicy({ config, requests, members });
 *   const verdict = await policy.check(client, accountId, personId, botId); // 'allowed' | 'not-allowed' | 'unknown'
 */
export type CreatorVerdict = 'allowed' | 'not-allowed' | 'unknown';

export function createCreatorPolicy({
  config,
  requests,
  members,
}: {
  config: Config;
  requests: Collection<AccessRequest>;
  members: ReturnType<typeof createChatMembers>;
}) {
  const policy = config.creators;

  /** Whether an admin granted this person access (a grant stands; a later refusal of a new request does not undo it). */
  async function granted(accountId: string, personId: string): Promise<boolean> {
    return (await requests.find('person', `${accountId}:${personId}`)).some((r) => r.status === 'granted' && r.personId === personId && r.accountId === accountId);
  }

  async function check(client: ChatClient, accountId: string, personId: string, botId: string): Promise<CreatorVerdict> {
    if (policy.kind === 'everyone' || config.adminIds.includes(personId)) return 'allowed';
    if (await granted(accountId, personId)) return 'allowed';
    if (policy.kind === 'list') return policy.ids.includes(personId) ? 'allowed' : 'not-allowed';
    const membership = await members.membership(client, policy.chatId, personId, botId);
    return membership === 'member' ? 'allowed' : membership === 'not-member' ? 'not-allowed' : 'unknown';
  }

  return { check, granted };
}
