import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver, walkToReview } from '../../helpers/flow.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a submit whose credentials cannot be put on the card', () => {
  it('leaves no half-registered app behind, so trying again from the review registers the app and shows its secret', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    const flow = flowDriver(world, world.alice, dm.id);
    await flow.start();
    await walkToReview(flow);
    // RingCentral is down for every retry of the card update that shows the secrets (5 attempts).
    world.emulator.failNext(5, { status: 503 }, { method: 'PUT', pathPrefix: '/team-messaging/v1/adaptive-cards/' });
    const answer = await flow.click('submit');
    expect((answer.body as { dialog: { title: string } }).dialog.title).toBe('Nothing was registered');
    await world.emulator.waitFor(() => flow.text().includes('Registering the app did not finish'), { message: 'no failure notice' });
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

  it('takes back a secret that was shown when the app could not be stored as issued, and keeps nothing', async () => {
    world = await startWorld({ faultyStore: true });
    const dm = await world.dm(world.alice);
    const flow = flowDriver(world, world.alice, dm.id);
    await flow.start();
    await walkToReview(flow);
    // The secrets reach the card, but the write that makes the app active fails (a full disk).
    const healed = world.faults.add((name, _id, value) => name === 'apps' && (value as { status?: string } | undefined)?.status === 'active');
    const apps = world.bot.services.store.collection('apps');
    const answer = await flow.click('submit');
    expect((answer.body as { dialog: { title: string } }).dialog.title).toBe('Nothing was registered');
    await world.emulator.waitFor(() => flow.text().includes("Registering the app did not finish"), { message: 'the form did not come back' });
    expect(world.botCards(dm.id).filter((c) => /rgr_cs_/.test(cardText(world!.emulator.card(c.id)!.body)))).toEqual([]);
    expect(await apps.list()).toEqual([]);
    healed();
    await flow.click('submit');
    expect(await world.bot.registry.listByOwner(world.account.id, world.alice.id)).toHaveLength(1);
  });
});
