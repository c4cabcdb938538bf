import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver, submitActions, walkToReview } from '../../helpers/flow.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a registration undone because showing the secrets timed out, while RingCentral still applies that update', () => {
  it('ends with the form back on the card, not a client secret of an app that does not exist', { timeout: 60_000 }, async () => {
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
    await w.emulator.waitFor(() => w.logs.some((l) => l.includes('registration failed; undoing it')), { timeoutMs: 25_000, message: 'the registration never failed' });
    expect(await w.bot.registry.listByOwner(w.account.id, w.alice.id)).toEqual([]); // undone: nothing registered
    // Wait until the slow update has landed at RingCentral; the bot draws the form again a minute after the undo.
    await new Promise((r) => setTimeout(r, 3_000));
    w.clock.advance(61_000);
    await w.bot.sweep();
    const shown = w.emulator.card(formCardId)!;
    expect(cardText(shown.body)).not.toMatch(/rgr_cs_/);
    expect(submitActions(shown.body).some((a) => a.data.action === 'submit')).toBe(true);
  });
});
