import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createInbox } from '../../../src/delivery/inbox.js';
import { createOutbox } from '../../../src/delivery/outbox.js';
import { manualClock } from '../../../src/lib/clock.js';
import { keysFrom } from '../../../src/lib/crypto-keys.js';
import { createLogger } from '../../../src/lib/logger.js';
import type { Card, ChatClient } from '../../../src/platform/chat-client.js';
import { createMemoryStore } from '../../../src/store/engine-store.js';

/** A RingCentral whose card PUTs can be held and then answered (or failed as a timeout) by the test. */
function fakeRingCentral() {
  const shown = new Map<string, Card>();
  const held: { cardId: string; card: Card; release: (ok: boolean) => void }[] = [];
  let hold = false;
  const client = {
    async updateCard(cardId: string, card: Card) {
      if (hold) {
        hold = false;
        await new Promise<void>((resolve, reject) => held.push({ cardId, card, release: (ok) => (ok ? resolve() : reject(new Error('socket hang up'))) }));
      }
      shown.set(cardId, card);
    },
    async postText() {
      return { id: 'p1' };
    },
  } as unknown as ChatClient;
  return { client, shown, held, holdNext: () => (hold = true) };
}

const card = (text: string): Card => ({ type: 'AdaptiveCard', body: [{ type: 'TextBlock', text }] });

function setup() {
  const rc = fakeRingCentral();
  const clock = manualClock(1_000_000);
  const outbox = createOutbox({
    store: createMemoryStore(),
    keys: keysFrom(randomBytes(32)),
    clock,
    log: createLogger({ level: 'silent' }),
    clientOf: async () => rc.client,
    botIdOf: async () => 'bot',
  });
  return { rc, clock, outbox };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('review13: the outbox never lets an older card change land after a newer one', () => {
  it('an older change whose attempt timed out while a newer one went out is not sent again afterwards', async () => {
    const { rc, clock, outbox } = setup();
    rc.holdNext();
    const older = outbox.send({ accountId: 'a', key: 'show', op: 'updateCard', target: 'card-1', payload: card('secret: rgr_cs_XXXXXXXXXXXX') }).catch((e: unknown) => e);
    await tick();
    expect(rc.held).toHaveLength(1);
    // The hider draws the card without the secret while the showing change is still on the wire.
    await outbox.send({ accountId: 'a', key: 'hide', op: 'updateCard', target: 'card-1', payload: card('secret hidden') });
    expect(rc.shown.get('card-1')).toEqual(card('secret hidden'));
    rc.held[0]!.release(false); // no answer: the older change is rescheduled
    await older;
    clock.advance(60 * 60_000);
    await outbox.deliverDue();
    expect(rc.shown.get('card-1')).toEqual(card('secret hidden'));
  });

  it('a change taken back (cancel) while its attempt is under way does not land after the change that replaced it', async () => {
    const { rc, outbox } = setup();
    rc.holdNext();
    const older = outbox.send({ accountId: 'a', key: 'show', op: 'updateCard', target: 'card-1', payload: card('secret: rgr_cs_XXXXXXXXXXXX') }).catch((e: unknown) => e);
    await tick();
    // What the reveal hider does at the hiding time: take the showing change back, then draw the hidden card.
    const taken = await outbox.cancel('show');
    await outbox.send({ accountId: 'a', key: 'hide', op: 'updateCard', target: 'card-1', payload: card('secret hidden') });
    rc.held[0]!.release(true); // the older attempt (or the client's retry of it) lands now
    await older;
    // Either the cancel says it could not take the change back (so the hider can draw again), or the secret stays hidden.
    expect(taken === 'cancelled' ? rc.shown.get('card-1') : card('secret hidden')).toEqual(card('secret hidden'));
  });

  it('a second send with the same key and a different payload while the first is in flight is not silently merged into the first', async () => {
    const { rc, outbox } = setup();
    rc.holdNext();
    const first = outbox.send({ accountId: 'a', key: 'turn:x:0', op: 'updateCard', target: 'card-1', payload: card('one') });
    await tick();
    const second = outbox.send({ accountId: 'a', key: 'turn:x:0', op: 'updateCard', target: 'card-2', payload: card('two') });
    rc.held[0]!.release(true);
    await Promise.all([first, second]);
    expect(rc.shown.get('card-2')).toEqual(card('two'));
  });
});

describe('review13: inbox keys from outside', () => {
  it('stores and replays deliveries whose ids are inherited property names', async () => {
    const clock = manualClock(1_000_000);
    const inbox = createInbox({ store: createMemoryStore(), keys: keysFrom(randomBytes(32)), clock, log: createLogger({ level: 'silent' }) });
    for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect((await inbox.accept('notification', id, { id })).fresh).toBe(true);
      expect((await inbox.accept('notification', id, { id })).fresh).toBe(false);
    }
    const open = await inbox.claimOpen({ all: true });
    expect(open.map((d) => d.id).sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
  });

  it('tells one of two identical deliveries arriving at once as fresh', async () => {
    const inbox = createInbox({ store: createMemoryStore(), keys: keysFrom(randomBytes(32)), clock: manualClock(), log: createLogger({ level: 'silent' }) });
    const results = await Promise.all(Array.from({ length: 20 }, () => inbox.accept('submit', 'same-uuid', { a: 1 })));
    expect(results.filter((r) => r.fresh)).toHaveLength(1);
  });
});
