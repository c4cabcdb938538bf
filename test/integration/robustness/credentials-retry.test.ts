import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver, walkToReview } from '../../helpers/flow.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a credentials card whose post times out (RingCentral may still have created it)', () => {
  it('shows the secret on exactly one card, the one that is hidden later', { timeout: 40_000 }, async () => {
    world = await startWorld({ env: { SECRET_REVEAL_SECONDS: '60' } });
    const dm = await world.dm(world.alice);
    const flow = flowDriver(world, world.alice, dm.id);
    await flow.start();
    await walkToReview(flow);
    // RingCentral creates the card but answers after the bot's 15 s request deadline; the bot retries.
    world.emulator.failNext(1, { delayMs: 15_500 }, { method: 'POST', pathPrefix: '/team-messaging/v1/chats/' });
    const card = flow.flowCard();
    const req = world.emulator.signedSubmitRequest({ cardId: card.id, personId: world.alice.id, data: flow.action('submit') });
    const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body });
    expect(res.status).toBe(200); // answered promptly while the work goes on
    const withSecret = () => world!.botCards(dm.id).filter((c) => /rgr_cs_/.test(cardText(world!.emulator.card(c.id)!.body)));
    await world.emulator.waitFor(() => withSecret().length > 0, { timeoutMs: 25_000, message: 'no credentials after the retry' });
    expect(withSecret()).toHaveLength(1);
    expect(await world.bot.registry.listByOwner(world.account.id, world.alice.id)).toHaveLength(1);
    world.clock.advance(61_000);
    await world.bot.sweep();
    expect(withSecret(), 'cards still showing the client secret').toEqual([]);
  });
});
