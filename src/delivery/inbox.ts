import { randomUUID } from 'node:crypto';
import type { Clock } from '../lib/clock.js';
import type { Keys } from '../lib/crypto-keys.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/store.js';

/**
 * The inbox: a delivery (a webhook notification or a card submit) that passed its check is stored
 * before RingCentral gets its 200, and handled from there; a crash in between loses nothing, since
 * start-up hands whatever is still open to the handlers again. RingCentral never redelivers.
 *
 * It shares its records with de-duplication: the delivery's event id is the key, so the one write
 * that stores the delivery (sealed: it holds what people typed) is also the one that tells a
 * redelivery apart. When the handling ends the body is dropped and the id stays, as a handled id,
 * for RETENTION.eventIdsMs. On a store several processes share, an open delivery carries a lease;
 * one whose lease ran out (its process died) is taken over by the sweep of another.
 *
 * @example
 *   const { fresh, id } = await inbox.accept('submit', submit.uuid, body);
 *   if (fresh) { await handle(body); await inbox.done('submit', id); }
 */
export type DeliveryKind = 'notification' | 'submit';

export interface Handled {
  at: number;
  /** The event id again, while open: scheduled queries return documents, not their keys. */
  id?: string | undefined;
  /** Present while the delivery is not handled yet. */
  open?: { sealed: string; leaseUntil: number; attempts: number } | undefined;
}

export interface OpenDelivery {
  kind: DeliveryKind;
  id: string;
  body: unknown;
  attempts: number;
}

const COLLECTION: Record<DeliveryKind, string> = { notification: 'seen-notifications', submit: 'seen-submits' };

export interface InboxOptions {
  store: Store;
  keys: Keys;
  clock: Clock;
  log: Logger;
  /** How long an open delivery belongs to the process that took it. */
  leaseMs?: number;
  /** A delivery handed out this many times without finishing (it crashes the bot each time) is given up. */
  maxAttempts?: number;
}

export type Inbox = ReturnType<typeof createInbox>;

export function createInbox({ store, keys, clock, log, leaseMs = 5 * 60_000, maxAttempts = 5 }: InboxOptions) {
  const col = (kind: DeliveryKind) => store.collection<Handled>(COLLECTION[kind]);

  /**
   * Stores a delivery; `fresh` is false for one already stored (a redelivery, handled or not).
   * A delivery with no event id cannot be told apart from another: it gets an id of its own.
   */
  async function accept(kind: DeliveryKind, eventId: string | undefined, body: unknown): Promise<{ fresh: boolean; id: string }> {
    const id = eventId || `no-id:${randomUUID()}`;
    // A redelivery is the busy case to make cheap: known ids are refused before anything is sealed.
    if (eventId && (await col(kind).get(id)) !== undefined) return { fresh: false, id };
    const now = clock.now();
    const entry: Handled = { at: now, id, open: { sealed: keys.encrypt(JSON.stringify(body)), leaseUntil: now + leaseMs, attempts: 1 } };
    const { before } = await col(kind).update(id, (cur) => (cur ? undefined : entry));
    return { fresh: before === undefined, id };
  }

  /** Keeps an open delivery ours while its handling runs long (a rate-limit wait, an outage). */
  async function renew(kind: DeliveryKind, id: string): Promise<void> {
    const until = clock.now() + leaseMs;
    await col(kind).update(id, (cur) => (cur?.open && cur.open.leaseUntil < until ? { ...cur, open: { ...cur.open, leaseUntil: until } } : undefined));
  }

  /** The delivery is handled: its body goes, its id stays as handled. */
  async function done(kind: DeliveryKind, id: string): Promise<void> {
    await col(kind).update(id, (cur) => (cur?.open ? { at: cur.at } : undefined));
  }

  /**
   * Takes the open deliveries whose lease ran out (every open one with `all`, for a store nobody
   * else uses), oldest first, renewing their lease for us. A body that cannot be read, or one
   * handed out maxAttempts times, is given up and logged.
   */
  async function claimOpen({ all = false, limit = 100, mine = () => false }: { all?: boolean; limit?: number; mine?: (kind: DeliveryKind, id: string) => boolean } = {}): Promise<OpenDelivery[]> {
    const out: OpenDelivery[] = [];
    for (const kind of ['notification', 'submit'] as const) {
      const now = clock.now();
      const due = await col(kind).due('leaseUntil', all ? Number.MAX_SAFE_INTEGER : now, limit);
      for (const doc of due) {
        const id = doc.id;
        // Still being handled here: a long handling is not a dead process's.
        if (id === undefined || mine(kind, id)) continue;
        const { after } = await col(kind).update(id, (cur) => {
          if (!cur?.open || (!all && cur.open.leaseUntil > now)) return undefined;
          if (cur.open.attempts >= maxAttempts) return { at: cur.at };
          return { ...cur, open: { ...cur.open, leaseUntil: now + leaseMs, attempts: cur.open.attempts + 1 } };
        });
        if (!after?.open) {
          if (after) log.error('an inbox delivery was given up after repeated attempts', { kind, eventId: id });
          continue;
        }
        try {
          out.push({ kind, id, body: JSON.parse(keys.decrypt(after.open.sealed)), attempts: after.open.attempts });
        } catch (err) {
          log.error('an inbox delivery could not be read; given up', { kind, eventId: id, err });
          await done(kind, id);
        }
      }
    }
    return out;
  }

  return { accept, done, renew, claimOpen, leaseMs };
}
