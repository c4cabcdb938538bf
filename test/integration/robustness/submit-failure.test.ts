import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver, walkToReview } from '../../helpers/flow.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a submit whose credentials card cannot be posted', () => {
  it('leaves no half-registered app behind, so trying again from the review registers the app and shows its secret', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    const flow = flowDriver(world, world.alice, dm.id);
    await flow.start();
    await walkToReview(flow);
    // RingCentral is down for every retry of the credentials card post (5 attempts).
    world.emulator.failNext(5, { status: 503 }, { method: 'POST', pathPrefix: '/team-messaging/v1/chats/' });
    await flow.click('submit');
    await world.emulator.waitFor(() => flow.text().includes('Registering the app failed'), { message: 'no failure notice' });
    // The card now says "nothing was registered": that must be true.
    const afterFailure = await world.bot.registry.listByOwner(world.account.id, world.alice.id);
    // And the user can simply try again, as the card invites.
    await flow.click('submit');
    const text = flow.text();
    expect(text, 'second submit hit the duplicate-name rule of the half-registered app').not.toMatch(/already have an app called/);
    expect(afterFailure).toEqual([]);
    const cards = world.botCards(dm.id);
    expect(cardText(cards[cards.length - 1]!.body)).toMatch(/rgr_cs_/);
  });

  it('says no credentials were issued when the secrets cannot be put on the card, and keeps nothing', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    const flow = flowDriver(world, world.alice, dm.id);
    await flow.start();
    await walkToReview(flow);
    // Every retry of the update that puts the secrets on the card fails.
    world.emulator.failNext(5, { status: 503 }, { method: 'PUT', pathPrefix: '/team-messaging/v1/adaptive-cards/' });
    await flow.click('submit');
    await world.emulator.waitFor(() => world!.botCards(dm.id).some((c) => cardText(world!.emulator.card(c.id)!.body).includes('No credentials were issued')), { message: 'no notice on the credentials card' });
    expect(world.botCards(dm.id).filter((c) => /rgr_cs_/.test(cardText(world!.emulator.card(c.id)!.body)))).toEqual([]);
    expect(await world.bot.registry.listByOwner(world.account.id, world.alice.id)).toEqual([]);
    await flow.click('submit');
    expect(await world.bot.registry.listByOwner(world.account.id, world.alice.id)).toHaveLength(1);
  });
});
