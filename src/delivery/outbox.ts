import { randomUUID } from 'node:crypto';
import type { Clock } from '../lib/clock.js';
import type { Keys } from '../lib/crypto-keys.js';
import type { Logger } from '../lib/logger.js';
import type { Card, ChatClient } from '../platform/chat-client.js';
import { RingCentralError } from '../platform/rc-client.js';
import { statusOf } from '../platform/retry.js';
import { StoreWriteError, type Store } from '../store/store.js';

/**
 * The outbox: every post and card change the bot makes is stored (sealed: a card may show a secret)
 * before it is sent, so a crash, a restart or a RingCentral outage loses none of them.
 *
 * A message is one logical send, named by its key. Its life:
 *   pending ──send──▶ sending ──2xx──▶ sent (payload dropped; kept a day so a replay finds it)
 *                        │  5xx, timeout, 429 past the wait ──▶ pending again, at a growing delay
 *                        │  4xx ──▶ failed (RingCentral refused it; asking again will not help)
 *                        └─ past maxAttempts ──▶ parked: counted, the chat told it is delayed,
 *                           tried at the slow pace until expireAfterMs, then dropped
 * At most once: a key already sent answers with its recorded result and sends nothing, so a turn
 * replayed from the inbox after a crash does not post its replies twice. A create (post) whose
 * fate is unknown (a timeout, or a crash between sending and recording) is looked for among the
 * chat's newest posts before it is sent again; a card change is a PUT, and sending it twice shows
 * the same card.
 *
 * @example
 *   const outbox = createOutbox({ store, keys, clock, log, clientOf });
 *   await outbox.send({ accountId, key: 'reply:e1:0', op: 'postText', target: chatId, payload: 'Hello' });
 *   await outbox.enqueue({ ... op: 'updateCard' ... }); await activate(); await outbox.deliver(key);
 */
export type OutboxOp = 'postText' | 'postCard' | 'updateCard';
export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed' | 'parked' | 'cancelled';

export interface OutboxEntry {
  id: string;
  accountId: string;
  op: OutboxOp;
  /** The chat (posts) or the card (updates). */
  target: string;
  /** Where to say that the message is delayed: the chat itself, or the chat a card is in when known. */
  chatId?: string | undefined;
  /** The text or card, encrypted; dropped once the message is sent, failed or dropped. */
  sealed?: string | undefined;
  state: OutboxState;
  attempts: number;
  /** When a pending or parked message is tried next; for one being sent, when it counts as abandoned. */
  nextAt: number;
  createdAt: number;
  /** Queued ahead of a commit point (the credentials card): its "sent" record is written before deliver() returns. */
  confirm?: boolean | undefined;
  /** Order of creation in this outbox (card changes: the newest of a card wins). */
  seq?: number | undefined;
  /** When the last attempt began: a create looked for after an unknown outcome is newer than this. */
  triedAt?: number | undefined;
  /** A keyed hash of what is sent (op, target, payload): a replay that builds something else is another message. */
  digest?: string | undefined;
  /** The last attempt's outcome is unknown (a timeout or a crash): look before sending again. */
  unsure?: boolean | undefined;
  finishedAt?: number | undefined;
  /** The post or card id RingCentral gave a create. */
  resultId?: string | undefined;
  lastStatus?: number | undefined;
  toldDelayed?: boolean | undefined;
}

export interface OutboxMessage {
  accountId: string;
  key: string;
  op: OutboxOp;
  target: string;
  payload: string | Card;
  chatId?: string | undefined;
}

export interface OutboxPolicy {
  /** Attempts (each with the client's own quick retries) before a message is parked. */
  maxAttempts: number;
  /** Delay before the second attempt; it doubles up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The pace of a parked message. */
  parkedEveryMs: number;
  /** A message not sent after this long is dropped (its payload with it). */
  expireAfterMs: number;
  /** A message in 'sending' this long belongs to a process that died. */
  sendingStaleMs: number;
  /** Sent, failed and dropped messages are remembered this long (a replay within it sends nothing). */
  keepDoneMs: number;
}

export const DEFAULT_OUTBOX_POLICY: OutboxPolicy = {
  maxAttempts: 6,
  baseDelayMs: 5_000,
  maxDelayMs: 5 * 60_000,
  parkedEveryMs: 15 * 60_000,
  expireAfterMs: 24 * 3600_000,
  sendingStaleMs: 2 * 60_000,
  keepDoneMs: 24 * 3600_000,
};

/** The message is stored and will be sent later: RingCentral did not take it now. */
export class OutboxDelayedError extends RingCentralError {
  readonly code = 'OUTBOX_DELAYED';
  constructor(status: number | undefined, cause: unknown) {
    super(`the message is stored and will be sent later${status ? ` (last attempt: HTTP ${status})` : ''}`, status, undefined, { cause });
    this.name = 'OutboxDelayedError';
  }
}

export interface OutboxEvents {
  onRetry?(entry: OutboxEntry): void;
  onParked?(entry: OutboxEntry): void;
}

export interface OutboxOptions {
  store: Store;
  keys: Keys;
  clock: Clock;
  log: Logger;
  /** The account's RingCentral client (never an outbox client), or undefined when the bot is gone from it. */
  clientOf(accountId: string): Promise<ChatClient | undefined>;
  /** The bot's id in an account, to find its own posts. */
  botIdOf(accountId: string): Promise<string | undefined>;
  policy?: Partial<OutboxPolicy>;
  events?: OutboxEvents;
  checkpoint?: (name: string) => void;
  /** Registers background work shutdown waits for (the "sent" records). */
  track?: <T>(work: Promise<T>) => Promise<T>;
}

export const DELAYED_NOTICE = 'A message I tried to send you here could not be delivered yet: RingCentral keeps refusing it for now. I will keep trying and it will appear when it goes through; nothing you did was lost.';

/** True for failures worth another try: no answer, a timeout, 5xx, or a 429 whose wait was too long. */
function retryable(err: unknown): boolean {
  const status = err instanceof RingCentralError ? err.status : statusOf(err);
  return status === undefined || status >= 500 || status === 429;
}

/** No answer at all (a timeout, a reset): a create may or may not have happened. */
const outcomeUnknown = (err: unknown) => (err instanceof RingCentralError ? err.status : statusOf(err)) === undefined;

export type Outbox = ReturnType<typeof createOutbox>;

export function createOutbox(options: OutboxOptions) {
  const { store, keys, clock, log, clientOf, botIdOf, events = {}, checkpoint = () => {}, track = (w) => w } = options;
  const policy: OutboxPolicy = { ...DEFAULT_OUTBOX_POLICY, ...options.policy };
  const box = store.collection<OutboxEntry>('outbox');
  /** Sends in this process by key: a second send of the same key waits for the first. */
  const inFlight = new Map<string, Promise<{ id?: string }>>();

  const seal = (payload: string | Card) => keys.encrypt(JSON.stringify(payload));
  const digestOf = (m: OutboxMessage) => keys.hash(`${m.op}\u0000${m.target}\u0000${JSON.stringify(m.payload)}`).slice(0, 32);
  const unseal = (entry: OutboxEntry): string | Card => JSON.parse(keys.decrypt(entry.sealed!)) as string | Card;
  const delayAfter = (attempts: number) => Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));

  // Strictly increasing, and ahead of any earlier run's (the clock moves on between runs).
  let lastSeq = 0;
  const nextSeq = () => (lastSeq = Math.max(lastSeq + 1, clock.now() * 1000));

  function newEntry(m: OutboxMessage, state: 'pending' | 'sending'): OutboxEntry {
    const now = clock.now();
    return {
      id: m.key,
      accountId: m.accountId,
      op: m.op,
      target: m.target,
      chatId: m.chatId ?? (m.op === 'updateCard' ? undefined : m.target),
      sealed: seal(m.payload),
      digest: digestOf(m),
      state,
      attempts: state === 'sending' ? 1 : 0,
      nextAt: state === 'sending' ? now + policy.sendingStaleMs : now,
      createdAt: now,
      seq: nextSeq(),
      ...(state === 'sending' ? { triedAt: now } : {}),
    };
  }

  /** Stores a message without sending it (deliver() sends it); an existing key is left as it is. */
  async function enqueue(m: OutboxMessage): Promise<OutboxEntry> {
    const { before, after } = await box.update(m.key, (cur) => (cur ? undefined : { ...newEntry(m, 'pending'), confirm: true }));
    if (!before && m.op === 'updateCard') await supersede(m.target, m.key);
    return (before ?? after)!;
  }

  /** Stores and sends one message; resolves with the id a create got. Throws OutboxDelayedError when it stays queued. */
  function send(message: OutboxMessage): Promise<{ id?: string }> {
    // The same key on its way already: once it has settled, its record decides (the same message
    // answers with its result; another one, built by a replay that took another path, goes on its own).
    const running = inFlight.get(message.key);
    if (running) return running.then(
      () => send(message),
      () => send(message),
    );
    return once(message.key, async () => {
      let m = message;
      let stored: { before: OutboxEntry | undefined; after: OutboxEntry | undefined };
      try {
        stored = await box.update(m.key, (cur) => (cur ? undefined : newEntry(m, 'sending')));
      } catch (err) {
        if (!(err instanceof StoreWriteError)) throw err;
        // The store cannot write (a full disk): the message still goes, without a copy; saying "not saved" must not be silenced too.
        log.warn('an outgoing message could not be stored; sending it without a copy', { key: m.key, op: m.op, err });
        return sendDirect(m);
      }
      let { before, after } = stored;
      if (before?.digest && before.digest !== digestOf(m)) {
        // A turn handled again took another path (the state had moved on): this is a new message, not the one sent before.
        m = { ...m, key: `${m.key}+${digestOf(m).slice(0, 12)}` };
        ({ before, after } = await box.update(m.key, (cur) => (cur ? undefined : newEntry(m, 'sending'))));
      }
      if (before) return settle(before);
      checkpoint('outbox:stored');
      if (m.op === 'updateCard') await supersede(m.target, m.key);
      return attempt(after!);
    });
  }

  async function sendDirect(m: OutboxMessage): Promise<{ id?: string }> {
    const client = await clientOf(m.accountId);
    if (!client) throw new RingCentralError('the bot is no longer installed in that account', 404, undefined);
    if (m.op === 'postText') return client.postText(m.target, m.payload as string);
    if (m.op === 'postCard') return client.postCard(m.target, m.payload as Card);
    await client.updateCard(m.target, m.payload as Card);
    return {};
  }

  /** Sends a stored message now (or answers from its record when it was already sent). */
  function deliver(key: string): Promise<{ id?: string }> {
    return once(key, async () => {
      const cur = await box.get(key);
      if (!cur) throw new Error(`no outbox message ${key}`);
      return settle(cur);
    });
  }

  function once(key: string, fn: () => Promise<{ id?: string }>): Promise<{ id?: string }> {
    const running = inFlight.get(key);
    if (running) return running;
    const p = fn().finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  }

  /** What a key already stored leads to: its result when sent, another attempt when still owed. */
  async function settle(entry: OutboxEntry, takeOver = false): Promise<{ id?: string }> {
    if (entry.state === 'sent') return entry.resultId ? { id: entry.resultId } : {};
    if (entry.state === 'failed' || entry.state === 'cancelled') throw new RingCentralError(`the message was not sent (${entry.state})`, entry.lastStatus, undefined);
    const claimed = await claim(entry.id, takeOver);
    if (!claimed) {
      const now = await box.get(entry.id);
      if (now?.state === 'sent') return now.resultId ? { id: now.resultId } : {};
      throw new OutboxDelayedError(now?.lastStatus, undefined);
    }
    return attempt(claimed);
  }

  /** Marks a pending (or abandoned sending) message as being sent by us; undefined when someone else has it. */
  async function claim(key: string, takeOverSending: boolean): Promise<OutboxEntry | undefined> {
    const now = clock.now();
    const { after } = await box.update(key, (cur) => {
      if (!cur) return undefined;
      const abandoned = cur.state === 'sending' && (takeOverSending || cur.nextAt <= now);
      if (cur.state !== 'pending' && cur.state !== 'parked' && !abandoned) return undefined;
      // A send that was under way when its process died may have reached RingCentral.
      return { ...cur, state: 'sending', attempts: cur.attempts + 1, nextAt: now + policy.sendingStaleMs, triedAt: now, unsure: cur.unsure || cur.state === 'sending' };
    });
    return after?.state === 'sending' && after.triedAt === now ? after : undefined;
  }

  async function attempt(entry: OutboxEntry): Promise<{ id?: string }> {
    const client = await clientOf(entry.accountId);
    if (!client) {
      await finish(entry.id, 'failed', {});
      throw new RingCentralError('the bot is no longer installed in that account', 404, undefined);
    }
    // A card change tried again must not land over a newer change of the same card.
    if (entry.op === 'updateCard' && entry.attempts > 1 && (await newerChangeOf(entry))) {
      await finish(entry.id, 'cancelled', {});
      throw new RingCentralError('a newer change of the card replaced this one', 409, undefined);
    }
    try {
      if (entry.unsure && entry.op !== 'updateCard') {
        const found = await findSent(client, entry).catch(() => undefined);
        if (found) {
          await finish(entry.id, 'sent', { resultId: found });
          return { id: found };
        }
      }
      const payload = unseal(entry);
      let resultId: string | undefined;
      if (entry.op === 'postText') resultId = (await client.postText(entry.target, payload as string)).id;
      else if (entry.op === 'postCard') resultId = (await client.postCard(entry.target, payload as Card)).id;
      else await client.updateCard(entry.target, payload as Card);
      checkpoint('outbox:sent');
      // Sent: recorded without holding the caller up. Were the record lost (a crash, a full disk), the
      // message is found 'sending' later and looked for (a post) or sent again (a card change, a PUT).
      const recorded = track(finish(entry.id, 'sent', resultId ? { resultId } : {}).catch((err: unknown) => log.warn('a sent message could not be recorded as sent', { key: entry.id, err })));
      if (entry.confirm) await recorded;
      return resultId ? { id: resultId } : {};
    } catch (err) {
      if (!retryable(err)) {
        await finish(entry.id, 'failed', { lastStatus: (err as RingCentralError).status }).catch(() => undefined);
        throw err;
      }
      const status = err instanceof RingCentralError ? err.status : statusOf(err);
      const later = await reschedule(entry, status, outcomeUnknown(err)).catch(() => undefined);
      if (later) events.onRetry?.(later);
      throw new OutboxDelayedError(status, err);
    }
  }

  async function finish(key: string, state: 'sent' | 'failed' | 'cancelled', extra: Partial<OutboxEntry>) {
    const now = clock.now();
    await box.update(key, (cur) => (cur ? { ...cur, ...extra, state, sealed: undefined, finishedAt: now, nextAt: now, unsure: undefined } : undefined));
  }

  async function reschedule(entry: OutboxEntry, status: number | undefined, unsure: boolean): Promise<OutboxEntry | undefined> {
    const now = clock.now();
    if (entry.op === 'updateCard' && (await newerChangeOf(entry).catch(() => false))) {
      await finish(entry.id, 'cancelled', { lastStatus: status });
      return undefined;
    }
    const expired = now - entry.createdAt >= policy.expireAfterMs;
    const parked = entry.attempts >= policy.maxAttempts;
    const { after } = await box.update(entry.id, (cur) => {
      if (cur?.state !== 'sending' || cur.triedAt !== entry.triedAt) return undefined;
      if (expired) return { ...cur, state: 'failed', sealed: undefined, finishedAt: now, lastStatus: status };
      return { ...cur, state: parked ? 'parked' : 'pending', nextAt: now + (parked ? policy.parkedEveryMs : delayAfter(cur.attempts)), lastStatus: status, unsure: cur.unsure || unsure };
    });
    if (after?.state === 'failed') log.error('an outgoing message could not be sent for a day and was dropped', { key: entry.id, op: entry.op, status });
    if (after?.state === 'parked' && !after.toldDelayed) {
      log.error('an outgoing message keeps failing; parked', { key: entry.id, op: entry.op, attempts: after.attempts, status });
      events.onParked?.(after);
      await tellDelayed(after);
    } else if (after) log.warn('an outgoing message failed; will retry', { key: entry.id, op: entry.op, attempts: after.attempts, status, nextInMs: after.nextAt - now });
    return after;
  }

  /** Says once, in the message's chat, that it is delayed. The notice is a message of its own, never parked again. */
  async function tellDelayed(entry: OutboxEntry) {
    await box.update(entry.id, (cur) => (cur ? { ...cur, toldDelayed: true } : undefined));
    if (!entry.chatId) return;
    const client = await clientOf(entry.accountId);
    await client?.postText(entry.chatId, DELAYED_NOTICE).catch((err: unknown) => log.warn('telling a chat about a delayed message failed', { key: entry.id, err }));
  }

  /** A create whose outcome is unknown: the bot's own post made since the attempt began, with the same content. */
  async function findSent(client: ChatClient, entry: OutboxEntry): Promise<string | undefined> {
    const botId = await botIdOf(entry.accountId);
    if (!botId || !client.recentPosts) return undefined;
    const since = (entry.triedAt ?? entry.createdAt) - policy.sendingStaleMs - 60_000;
    const payload = unseal(entry);
    for (const post of await client.recentPosts(entry.target)) {
      if (post.creatorId !== botId || (post.creationTime !== undefined && Date.parse(post.creationTime) < since)) continue;
      if (entry.op === 'postText' && post.text === payload) return post.id;
      if (entry.op === 'postCard' && post.cardId && client.getCard) {
        const card = await client.getCard(post.cardId).catch(() => undefined);
        if (card && JSON.stringify(card.body) === JSON.stringify((payload as Card).body)) return post.cardId;
      }
    }
    return undefined;
  }

  /** Whether a change of the same card was made after this one (and is not taken back). */
  async function newerChangeOf(entry: OutboxEntry): Promise<boolean> {
    const changes = await box.find('cardChange', entry.target);
    return changes.some((o) => o.id !== entry.id && (o.seq ?? o.createdAt * 1000) > (entry.seq ?? entry.createdAt * 1000) && o.state !== 'cancelled' && o.state !== 'failed');
  }

  /** A card change not sent yet is out of date once a newer change of the same card is on its way: it must never land after it. */
  async function supersede(cardId: string, newer: string) {
    for (const old of await box.find('unsentCardChange', cardId)) {
      if (old.id !== newer && !inFlight.has(old.id)) await cancel(old.id).catch(() => undefined);
    }
  }

  /**
   * Takes back a message not sent yet (an undone registration, a secret past its hiding time); says
   * whether it had gone already, or is on its way right now ('sending': it may still land, so the
   * caller must act again once it has settled).
   */
  async function cancel(key: string): Promise<'cancelled' | 'sent' | 'sending' | 'absent'> {
    const now = clock.now();
    const onItsWay = (cur: OutboxEntry) => cur.state === 'sending' && (inFlight.has(key) || cur.nextAt > now);
    const { before } = await box.update(key, (cur) =>
      cur && cur.state !== 'sent' && cur.state !== 'cancelled' && cur.state !== 'failed' && !onItsWay(cur) ? { ...cur, state: 'cancelled', sealed: undefined, finishedAt: now } : undefined,
    );
    if (!before) return 'absent';
    if (before.state === 'sent') return 'sent';
    if (before.state === 'cancelled' || before.state === 'failed') return 'absent';
    if (onItsWay(before)) return 'sending';
    return 'cancelled';
  }

  /** Sends what is due: retries, parked messages at their pace, and sends a dead process left unfinished. */
  async function deliverDue(limit = 100): Promise<number> {
    const due = await box.due('dueAt', clock.now(), limit);
    let sent = 0;
    for (const entry of due) {
      await once(entry.id, () => settle(entry)).then(
        () => sent++,
        (err: unknown) => {
          if (!(err instanceof OutboxDelayedError) && !(err instanceof RingCentralError)) log.error('delivering a queued message failed', { key: entry.id, err });
        },
      );
    }
    return sent;
  }

  /** At start-up on a store no other process shares: whatever was being sent belonged to a process that died. */
  async function recoverAll(): Promise<number> {
    const stuck = await box.due('dueAt', Number.MAX_SAFE_INTEGER, 10_000);
    let n = 0;
    for (const entry of stuck) {
      await once(entry.id, () => settle(entry, true)).then(
        () => n++,
        () => undefined,
      );
    }
    return n;
  }

  /** How many messages are parked now (for the gauge, at start-up). */
  async function countParked(): Promise<number> {
    return (await box.due('dueAt', Number.MAX_SAFE_INTEGER, 100_000)).filter((e) => e.toldDelayed && (e.state === 'parked' || e.state === 'sending')).length;
  }

  /** Forgets messages finished more than keepDoneMs ago. */
  const prune = () => box.prune('finishedAt', clock.now() - policy.keepDoneMs);

  /** A key for a message with no name of its own. */
  const freshKey = () => `m:${randomUUID()}`;

  return { send, enqueue, deliver, cancel, deliverDue, recoverAll, countParked, prune, freshKey, policy };
}
