import { afterEach, describe, expect, it } from 'vitest';
import { button, dialogTitle, press, pressAs, registerApp, sayForCard, sayForText, textOf, verifies } from '../../helpers/lifecycle.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Alice's app card with the new owner typed in. */
async function offer(w: World, newOwner: string) {
  const { dm, clientId, secret } = await registerApp(w, w.alice, 'Expense Sync');
  const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
  const result = await press(w, card, w.alice, 'Offer the app', { newOwner });
  return { dm, clientId, secret, card, result };
}

describe('transfer-app', () => {
  it('offers the app; on accept the new owner owns it, both are told, and no secret travels', async () => {
    const w = (world = await startWorld());
    const { dm, clientId, secret, result } = await offer(w, w.bob.id);
    expect(dialogTitle(result)).toBe('Offer sent');
    const bobDm = await w.dm(w.bob);
    const offerCard = w.botCards(bobDm.id).at(-1)!.id;
    const acceptData = button(w, offerCard, 'Accept').data;
    const text = textOf(w, offerCard);
    expect(text).toContain('Alice Archer offers you an app: Expense Sync');
    expect(text).not.toMatch(/rgr_/);
    // Only Bob can answer it.
    expect(dialogTitle(await pressAs(w, offerCard, w.carol, 'Accept'))).toBe('This offer is not for you');
    expect((await w.bot.registry.get(clientId))!.ownerId).toBe(w.alice.id);
    await press(w, offerCard, w.bob, 'Accept');
    expect((await w.bot.registry.get(clientId))!.ownerId).toBe(w.bob.id);
    expect(textOf(w, offerCard)).toContain('You now own Expense Sync');
    expect(w.botTexts(dm.id).at(-1)).toContain('Bob Baker accepted your offer');
    expect(await verifies(w, clientId, secret)).toBe(200); // the secrets did not change
    // Now Bob's, not Alice's.
    expect(await sayForText(w, w.alice, dm.id, 'app Expense Sync')).toContain('You have no app called');
    const bobCard = await sayForCard(w, w.bob, bobDm.id, 'app Expense Sync');
    expect(button(w, bobCard, 'Rotate client secret')).toBeDefined();
    // Accepting twice (a second client still showing the buttons) changes nothing.
    expect(dialogTitle(await w.emulator.submit({ cardId: offerCard, personId: w.bob.id, data: acceptData }))).toBe('This offer is no longer open');
  });

  it('tells the owner when the offer is declined; the app stays theirs', async () => {
    const w = (world = await startWorld());
    const { dm, clientId } = await offer(w, w.bob.id);
    const bobDm = await w.dm(w.bob);
    const offerCard = w.botCards(bobDm.id).at(-1)!.id;
    await press(w, offerCard, w.bob, 'Decline');
    expect(textOf(w, offerCard)).toContain('You declined Expense Sync');
    expect(w.botTexts(dm.id).at(-1)).toContain('Bob Baker declined your offer');
    expect((await w.bot.registry.get(clientId))!.ownerId).toBe(w.alice.id);
  });

  it('refuses an offer to oneself, to the bot, to nobody, to someone unknown or of another account', async () => {
    const w = (world = await startWorld());
    const { dm, card } = await offer(w, '');
    expect(dialogTitle(await press(w, card, w.alice, 'Offer the app', { newOwner: w.alice.id }))).toBe('That is you');
    expect(dialogTitle(await press(w, card, w.alice, 'Offer the app', { newOwner: w.botId }))).toBe('That is me');
    expect(dialogTitle(await press(w, card, w.alice, 'Offer the app', { newOwner: '' }))).toBe('To whom?');
    expect(dialogTitle(await press(w, card, w.alice, 'Offer the app', { newOwner: 'Bob **Baker**' }))).toBe('That is not a person id');
    expect(dialogTitle(await press(w, card, w.alice, 'Offer the app', { newOwner: '999999999' }))).toBe('Nobody found');
    const other = w.emulator.createAccount({ name: 'Other Co' });
    const stranger = w.emulator.addPerson({ accountId: other.id, firstName: 'Sam', lastName: 'Stranger', email: 'sam@other.example' });
    expect(dialogTitle(await press(w, card, w.alice, 'Offer the app', { newOwner: stranger.id }))).toBe('Nobody found');
    // A pasted mention works.
    expect(dialogTitle(await press(w, card, w.alice, 'Offer the app', { newOwner: `![:Person](${w.bob.id})` }))).toBe('Offer sent');
    expect(w.botCards(dm.id).length).toBeGreaterThan(0);
  });

  it('refuses an offer by someone other than the owner, and an answer to an offer that was replaced or whose app changed', async () => {
    const w = (world = await startWorld());
    const { card, clientId } = await offer(w, w.bob.id);
    expect(dialogTitle(await pressAs(w, card, w.carol, 'Offer the app', { newOwner: w.carol.id }))).toBe('This app is not yours');
    const bobDm = await w.dm(w.bob);
    const first = w.botCards(bobDm.id).at(-1)!.id;
    // A newer offer (to Carol) replaces Bob's: his card says so and his accept changes nothing.
    await press(w, card, w.alice, 'Offer the app', { newOwner: w.carol.id });
    expect(textOf(w, first)).toContain('was withdrawn');
    const old = await w.emulator.submit({ cardId: first, personId: w.bob.id, data: { action: 'accept-transfer', clientId, offerId: 'nope', botId: w.botId } });
    expect(dialogTitle(old)).toBe('This offer is no longer open');
    const carolDm = await w.dm(w.carol);
    const carolCard = w.botCards(carolDm.id).at(-1)!.id;
    // Alice deletes the app before Carol answers.
    const aliceDm = await w.dm(w.alice);
    await press(w, card, w.alice, 'Delete app…');
    await press(w, w.botCards(aliceDm.id).at(-1)!.id, w.alice, 'Delete for good');
    expect(textOf(w, carolCard)).toContain('was withdrawn');
    const late = await w.emulator.submit({ cardId: carolCard, personId: w.carol.id, data: { action: 'accept-transfer', clientId, offerId: 'any', botId: w.botId } });
    expect(dialogTitle(late)).toBe('This offer is no longer open');
    expect((await w.bot.registry.get(clientId))!.ownerId).toBe(w.alice.id);
  });
});
