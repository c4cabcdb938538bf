import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('the periodic subscription check while an install is still subscribing', () => {
  it('ends with one subscription, so each message is answered once', async () => {
    world = await startWorld({ noInstall: true });
    // SUB-406 for a while (the bot user is being created); meanwhile the 10-minute check runs.
    const installing = world.emulator.installBot({ clientId: world.app.clientId, accountId: world.account.id, installerId: world.alice.id, subscribeFailures: 5 });
    const { botId } = await installing;
    world.botId = botId;
    await world.bot.maintain();
    await world.bot.installations.idle();
    const active = world.emulator.subscriptions({ botId }).filter((s) => s.status === 'Active');
    const dm = await world.dm(world.alice);
    await world.emulator.post({ chatId: dm.id, personId: world.alice.id, text: 'help' });
    await world.emulator.waitFor(() => world!.botTexts(dm.id).length >= 1);
    await world.emulator.settle();
    await new Promise((r) => setTimeout(r, 200));
    expect(world.botTexts(dm.id), 'replies to one "help"').toHaveLength(1);
    expect(active, 'active subscriptions for one installation').toHaveLength(1);
  });
});
