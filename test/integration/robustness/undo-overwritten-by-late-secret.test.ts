import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver, walkToReview } from '../../helpers/flow.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';
import { SHOW_DELAYED_NOTICE } from '../../../src/registration/issue-app.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('showing the secrets times out while RingCentral still applies that update', () => {
  it('keeps the app registered and ends with its secret on the form card, the one the person was told about', { timeout: 60_000 }, async () => {
    const w = (world = await startWorld());
    const dm = await w.dm(w.alice);
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.start();
    await walkToReview(flow);
    const formCardId = flow.flowCard().id;
    const cards = '/team-messaging/v1/adaptive-cards/';
    // Showing the secrets: RingCentral takes 16 s (past the bot's 15 s deadline) but applies it; the retries get 500s.
    w.emulator.failNext(1, { delayMs: 16_000 }, { method: 'PUT', pathPrefix: cards });
    w.emulator.failNext(4, { status: 500 }, { method: 'PUT', pathPrefix: cards });
    await flow.click('submit');
    await w.emulator.waitFor(() => w.botTexts(dm.id).includes(SHOW_DELAYED_NOTICE), { timeoutMs: 25_000, message: 'never told the card is delayed' });
    // A card change is a PUT: the outbox sends it again, and the card shows the same secret.
    expect((await w.bot.registry.listByOwner(w.account.id, w.alice.id)).map((a) => a.status)).toEqual(['active']);
    w.clock.advance(6_000);
    await w.emulator.waitFor(() => w.emulator.card(formCardId)!.versions.filter((v) => /rgr_cs_/.test(cardText(v.body))).length >= 2, { timeoutMs: 10_000, message: 'the card change was not sent again' });
    const secrets = new Set(w.emulator.card(formCardId)!.versions.map((v) => /rgr_cs_[A-Za-z0-9_-]+/.exec(cardText(v.body))?.[0]).filter(Boolean));
    expect(secrets.size).toBe(1);
    expect(cardText(w.emulator.card(formCardId)!.body)).toMatch(/rgr_cs_/);
  });
});
