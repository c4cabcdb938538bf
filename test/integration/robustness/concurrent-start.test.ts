import { afterEach, describe, expect, it } from 'vitest';
import { goodBasics, inputs, submitActions } from '../../helpers/flow.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function twoStarts(w: World, chatId: string) {
  await Promise.all([
    w.emulator.post({ chatId, personId: w.alice.id, text: 'create app' }),
    w.emulator.post({ chatId, personId: w.alice.id, text: 'new app' }),
  ]);
  await w.emulator.waitFor(() => w.botCards(chatId).length >= 2, { message: 'expected two cards' });
  await new Promise((r) => setTimeout(r, 300));
}

describe('two "create app" messages at once', () => {
  it('leaves the person with one registration in progress, not two live forms', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    await twoStarts(world, dm.id);
    const flowIds = new Set(
      world.botCards(dm.id).flatMap((c) => submitActions(c.body).map((a) => a.data.flowId).filter((id): id is string => typeof id === 'string')),
    );
    expect([...flowIds], 'distinct live registration forms').toHaveLength(1);
  });

  it('never registers two apps with the same name for one person', async () => {
    world = await startWorld();
    const w = world;
    const dm = await w.dm(w.alice);
    await twoStarts(w, dm.id);
    // Drive each live form to its review, each card by its own id.
    const live = w.botCards(dm.id).filter((c) => submitActions(c.body).some((a) => a.data.action === 'next'));
    const click = async (cardId: string, action: string, values: Record<string, unknown> = {}) => {
      const card = w.emulator.card(cardId)!;
      const data = { ...inputs(card.body), ...submitActions(card.body).find((a) => a.data.action === action)!.data, ...values };
      return w.emulator.submit({ cardId, personId: w.alice.id, data });
    };
    for (const card of live) {
      await click(card.id, 'next', { appType: 'bot' });
      await click(card.id, 'next', goodBasics);
      await click(card.id, 'next', { scopes: 'TeamMessaging', justification: '' });
      await click(card.id, 'next', { access: 'private', partners: '' });
      await click(card.id, 'next', { interactiveMessages: 'false', outboundWebhookUrl: '' });
    }
    await Promise.all(live.map((card) => click(card.id, 'submit')));
    const apps = await w.bot.registry.listByOwner(w.account.id, w.alice.id);
    expect(apps.map((a) => a.appName)).toEqual(['Expense Sync']);
  });
});
