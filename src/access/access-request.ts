/**
 * A person's request for permission to register apps (CREATORS leaves them out), decided once by
 * an admin in the admins' channel: the first decision wins. A grant stands from then on; after a
 * refusal the person may ask again. At most one is open per person.
 */
export interface AccessRequest {
  id: string;
  accountId: string;
  personId: string;
  status: 'open' | 'granted' | 'refused';
  requestedAt: number;
  /** Where its card was posted; null until it was (the sweep posts it when the channel is reachable). */
  adminChatId: string | null;
  cardId: string | null;
  decision: { by: string; at: number; reason: string | null } | null;
  /**
   * What the decision still owes, listed in the same write as the decision and crossed off as each
   * is done (the sweep finishes the rest): the history entry, the admins' card, the person's news.
   */
  effects?: AccessEffect[];
}

export type AccessEffect = 'audit' | 'card' | 'person';

export const DECIDED_EFFECTS: readonly AccessEffect[] = ['audit', 'card', 'person'];
