import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver, walkToReview } from '../../helpers/flow.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';
import { SHOW_DELAYED_NOTICE } from '../../../src/registration/issue-app.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a submit whose credentials cannot be put on the card', () => {
  it('keeps the app registered, says the card is delayed, and shows the secret once RingCentral takes it', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    const flow = flowDriver(world, world.alice, dm.id);
    await flow.start();
    await walkToReview(flow);
    const formCardId = flow.flowCard().id;
    // RingCentral is down for every retry of the card update that shows the secrets (5 attempts).
    world.emulator.failNext(5, { status: 503 }, { method: 'PUT', pathPrefix: '/team-messaging/v1/adaptive-cards/' });
    await flow.click('submit');
    await world.emulator.waitFor(() => world!.botTexts(dm.id).includes(SHOW_DELAYED_NOTICE), { message: 'not told the card is delayed' });
    const apps = await world.bot.registry.listByOwner(world.account.id, world.alice.id);
    expect(apps.map((a) => a.status)).toEqual(['active']);
    expect(cardText(world.emulator.card(formCardId)!.body)).not.toMatch(/rgr_cs_/);
    // The outbox tries again after its first delay; RingCentral is back by then.
    world.clock.advance(6_000);
    await world.emulator.waitFor(() => /rgr_cs_/.test(cardText(world!.emulator.card(formCardId)!.body)), { message: 'the credentials never arrived' });
    const showing = world.botCards(dm.id).flatMap((c) => world!.emulator.card(c.id)!.versions.filter((v) => /rgr_cs_/.test(cardText(v.body))));
    expect(showing).toHaveLength(1);
    expect(await world.bot.registry.listByOwner(world.account.id, world.alice.id)).toHaveLength(1);
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
