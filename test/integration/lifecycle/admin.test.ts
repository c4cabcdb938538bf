import { afterEach, describe, expect, it } from 'vitest';
import { submitActions } from '../../../src/cards/inspect-card.js';
import { button, dialogTitle, press, pressAs, registerApp, sayForCard, sayForText, textOf, verifies } from '../../helpers/lifecycle.js';
import { startWorld, unescaped, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const mention = (w: World) => `![:Person](${w.botId})`;

describe('the admin view of an app', () => {
  it("shows any app of the account in the admins' channel, with suspend and no owner actions", async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { clientId } = await registerApp(w, w.alice, 'Expense Sync');
    const card = await sayForCard(w, w.dave, w.adminChatId, `${mention(w)} app Expense Sync`);
    const text = textOf(w, card);
    expect(text).toContain('Owner: Alice Archer');
    expect(text).toContain(`client ID ${clientId}`);
    expect(submitActions(w.emulator.card(card)!.body).map((a) => a.title)).toEqual(['Suspend app']);
  });

  it('lists apps of the same name by different owners and asks for the client ID', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const a = await registerApp(w, w.alice, 'Expense Sync');
    const b = await registerApp(w, w.bob, 'Expense Sync');
    const text = await sayForText(w, w.dave, w.adminChatId, `${mention(w)} app Expense Sync`);
    expect(text).toContain('2 apps are called "Expense Sync". Say which one by its client ID:');
    expect(text).toContain(`of Alice Archer: app ${a.clientId}`);
    expect(text).toContain(`of Bob Baker: app ${b.clientId}`);
  });

  it('suspends with a reason (the owner is told, the secrets stop) and reinstates (told again, they work again)', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm, clientId, secret } = await registerApp(w, w.alice, 'Expense Sync');
    const card = await sayForCard(w, w.dave, w.adminChatId, `${mention(w)} app ${clientId}`);
    expect(dialogTitle(await press(w, card, w.dave, 'Suspend app', { reason: '' }))).toBe('A reason is needed');
    expect(await verifies(w, clientId, secret)).toBe(200);
    // Alice is no admin: her click (forged into the admin chat) is refused.
    expect(dialogTitle(await pressAs(w, card, w.alice, 'Suspend app', { reason: 'mine' }))).toBe('Admins only');
    await press(w, card, w.dave, 'Suspend app', { reason: 'Its secret was posted in a public channel.' });
    expect(await verifies(w, clientId, secret)).toBe(401);
    expect(textOf(w, card)).toContain('Suspended by Dave Admin');
    expect(unescaped(w.botTexts(dm.id).at(-1)!)).toBe(
      'An admin suspended your app **Expense Sync**: its secrets verify nothing until it is reinstated. Reason: Its secret was posted in a public channel.',
    );
    // The owner's card says so and offers no rotation while suspended.
    const ownerCard = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    expect(textOf(w, ownerCard)).toContain('Reason: Its secret was posted in a public channel.');
    expect(() => button(w, ownerCard, 'Rotate client secret')).toThrow();
    // A second admin on the old card: already suspended.
    expect(button(w, card, 'Reinstate app')).toBeDefined();
    await press(w, card, w.erin, 'Reinstate app', { reason: 'Rotated and checked.' });
    expect(await verifies(w, clientId, secret)).toBe(200);
    expect(unescaped(w.botTexts(dm.id).at(-1)!)).toBe('An admin reinstated your app **Expense Sync**: its secrets work again. Reason: Rotated and checked.');
    const history = await sayForText(w, w.dave, w.adminChatId, `${mention(w)} audit ${clientId}`);
    expect(history).toMatch(/suspended by Dave Admin[\s\S]*reason: Its secret was posted/);
    expect(history).toMatch(/reinstated by Erin Admin/);
  });

  it('answers a click on a card whose app moved on: already suspended', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { clientId } = await registerApp(w, w.alice, 'Expense Sync');
    const first = await sayForCard(w, w.dave, w.adminChatId, `${mention(w)} app ${clientId}`);
    const second = await sayForCard(w, w.erin, w.adminChatId, `${mention(w)} app ${clientId}`);
    await press(w, first, w.dave, 'Suspend app', { reason: 'Leaked.' });
    expect(dialogTitle(await press(w, second, w.erin, 'Suspend app', { reason: 'Also leaked.' }))).toBe('Already suspended');
    expect(button(w, second, 'Reinstate app')).toBeDefined();
  });

  it('keeps owner actions from the admin view and admin actions from the owner', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm, clientId, secret } = await registerApp(w, w.alice, 'Expense Sync');
    const ownerCard = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    // An admin forging the owner's rotate: not theirs.
    expect(dialogTitle(await pressAs(w, ownerCard, w.dave, 'Rotate client secret'))).toBe('This app is not yours');
    // The owner forging suspend-app on her own card: admins only.
    const data = { action: 'suspend-app', clientId, botId: w.botId, reason: 'x' };
    expect(dialogTitle(await w.emulator.submit({ cardId: ownerCard, personId: w.alice.id, data }))).toBe('Admins only');
    expect(await verifies(w, clientId, secret)).toBe(200);
  });
});
