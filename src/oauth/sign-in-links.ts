import { randomBytes } from 'node:crypto';
import type { Keys } from '../lib/crypto-keys.js';
import type { Store } from '../store/store.js';

/**
 * One-time sign-in links, sent in a direct message to the person who said who they are on the
 * consent page. Stored only under a keyed hash of the link's token; single use (the first open
 * marks it used, atomically); bound to the sign-in (interaction) it was asked for; a few minutes.
 *
 * @example
 *   const token = await links.create({ interactionUid, personId, accountId, now });
 *   const signedIn = await links.consume(token, interactionUid, now); // personId once, then undefined
 */
export interface SignInLink {
  /** Keyed hash of the interaction's uid (its cookie holds the uid). */
  interactionKey: string;
  personId: string;
  accountId: string;
  expiresAt: number;
  usedAt?: number;
}

export function signInLinks({ store, keys, minutes }: { store: Store; keys: Keys; minutes: number }) {
  const links = store.collection<SignInLink>('sign-in-links');
  // Which account each person who signed in belongs to: a session from one account must not consent for another's app.
  const people = store.collection<{ accountId: string }>('oauth-people');
  const idOf = (token: string) => keys.hash(`sign-in-link:${token}`);
  const interactionKey = (uid: string) => keys.hash(`sign-in-link-interaction:${uid}`);
  return {
    async create(input: { interactionUid: string; personId: string; accountId: string; now: number }): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      await links.put(idOf(token), { interactionKey: interactionKey(input.interactionUid), personId: input.personId, accountId: input.accountId, expiresAt: input.now + minutes * 60_000 });
      return token;
    },
    /** The link's person, the first time it is opened for its own sign-in within its minutes; undefined otherwise. */
    async consume(token: string, interactionUid: string, now: number): Promise<{ personId: string; accountId: string } | undefined> {
      if (!/^[\w-]{20,100}$/.test(token)) return undefined;
      let won = false;
      const { after } = await links.update(idOf(token), (cur) => {
        won = false;
        if (!cur || cur.usedAt !== undefined || cur.expiresAt <= now || cur.interactionKey !== interactionKey(interactionUid)) return undefined;
        won = true;
        return { ...cur, usedAt: now };
      });
      if (!won || !after) return undefined;
      await people.put(after.personId, { accountId: after.accountId });
      return { personId: after.personId, accountId: after.accountId };
    },
    /** The account of a person who signed in through a link (undefined for anyone else). */
    async accountOf(personId: string): Promise<string | undefined> {
      return (await people.get(personId))?.accountId;
    },
  };
}

export type SignInLinks = ReturnType<typeof signInLinks>;
