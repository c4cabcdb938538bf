import { afterEach, describe, expect, it } from 'vitest';
import { button, dialogTitle, newestSecret, press, pressAs, registerApp, sayForCard, textOf, verifies } from '../../helpers/lifecycle.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const HOUR = 3600_000;

describe('rotating a client secret', () => {
  it('says before the click what rotating ends, then shows the new secret once; both verify during the grace period, only the new one after', async () => {
    const w = (world = await startWorld({ env: { ROTATION_GRACE_HOURS: '24', SECRET_REVEAL_SECONDS: '60' } }));
    const { dm, clientId, secret: first } = await registerApp(w, w.alice, 'Expense Sync');
    const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    expect(textOf(w, card)).toContain(`…${first.slice(-4)} keeps working for 24 hours, then stops`);
    const before = w.botCards(dm.id).length;
    await press(w, card, w.alice, 'Rotate client secret');
    expect(w.botCards(dm.id).length).toBe(before + 1);
    const { cardId: secretCard, secret: second } = newestSecret(w, dm.id);
    expect(second).not.toBe(first);
    expect(textOf(w, secretCard)).toContain('New client secret: Expense Sync');
    expect(textOf(w, secretCard)).toMatch(new RegExp(`…${first.slice(-4)} keeps working until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC, then stops`));
    expect(await verifies(w, clientId, first)).toBe(200);
    expect(await verifies(w, clientId, second)).toBe(200);
    // The app card now shows both secrets and what a third rotation would end.
    expect(textOf(w, card)).toContain(`Two are live now, so …${first.slice(-4)} stops at once`);
    w.clock.advance(61_000);
    await w.bot.sweep();
    expect(textOf(w, secretCard)).not.toContain(second);
    expect(textOf(w, secretCard)).toContain('was shown once and is now hidden');
    w.clock.advance(24 * HOUR);
    expect(await verifies(w, clientId, first)).toBe(401);
    expect(await verifies(w, clientId, second)).toBe(200);
  });

  it('a third rotation ends the oldest secret at once', async () => {
    const w = (world = await startWorld());
    const { dm, clientId, secret: first } = await registerApp(w, w.alice, 'Expense Sync');
    const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    await press(w, card, w.alice, 'Rotate client secret');
    const second = newestSecret(w, dm.id).secret;
    await press(w, card, w.alice, 'Rotate client secret');
    const third = newestSecret(w, dm.id);
    expect(textOf(w, third.cardId)).toContain(`…${first.slice(-4)} stopped working now`);
    expect(await verifies(w, clientId, first)).toBe(401);
    expect(await verifies(w, clientId, second)).toBe(200);
    expect(await verifies(w, clientId, third.secret)).toBe(200);
  });

  it('with ROTATION_GRACE_HOURS=0 the previous secret stops at once, as the card says', async () => {
    const w = (world = await startWorld({ env: { ROTATION_GRACE_HOURS: '0' } }));
    const { dm, clientId, secret: first } = await registerApp(w, w.alice, 'Expense Sync');
    const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    expect(textOf(w, card)).toContain(`…${first.slice(-4)} stops at once`);
    await press(w, card, w.alice, 'Rotate client secret');
    expect(await verifies(w, clientId, first)).toBe(401);
    expect(await verifies(w, clientId, newestSecret(w, dm.id).secret)).toBe(200);
  });

  it('rotates from the hidden credentials card too', async () => {
    const w = (world = await startWorld({ env: { SECRET_REVEAL_SECONDS: '60' } }));
    const { dm, clientId, secret: first } = await registerApp(w, w.alice, 'Expense Sync');
    w.clock.advance(61_000);
    await w.bot.sweep();
    const credentials = w.botCards(dm.id).find((c) => textOf(w, c.id).includes('App registered'))!.id;
    expect(textOf(w, credentials)).not.toContain('I cannot rotate');
    expect(textOf(w, credentials)).toContain('Rotate the client secret below');
    await press(w, credentials, w.alice, 'Rotate client secret');
    const { secret } = newestSecret(w, dm.id);
    expect(secret).not.toBe(first);
    expect(await verifies(w, clientId, secret)).toBe(200);
  });

  it('rotates the shared secret of an app with interactive messages, and offers it only there', async () => {
    const w = (world = await startWorld());
    const plain = await registerApp(w, w.alice, 'Plain App');
    const { dm } = await registerApp(w, w.alice, 'Card App', { interactive: true });
    const plainCard = await sayForCard(w, w.alice, plain.dm.id, 'app Plain App');
    expect(() => button(w, plainCard, 'Rotate shared secret')).toThrow();
    const card = await sayForCard(w, w.alice, dm.id, 'app Card App');
    expect(textOf(w, card)).toMatch(/Shared secret …/);
    await press(w, card, w.alice, 'Rotate shared secret');
    const { cardId, secret } = newestSecret(w, dm.id, 'ss');
    expect(textOf(w, cardId)).toContain('New shared secret: Card App');
    expect(secret).toMatch(/^rgr_ss_/);
    expect(textOf(w, card)).toMatch(/Shared secret …\w{4}[\s\S]*Shared secret …\w{4}/);
  });

  it('refuses a rotation by anyone but the owner, and a click on a card of an older state', async () => {
    const w = (world = await startWorld());
    const { dm, clientId, secret } = await registerApp(w, w.alice, 'Expense Sync');
    const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    const foreign = await pressAs(w, card, w.bob, 'Rotate client secret');
    expect(dialogTitle(foreign)).toBe('This app is not yours');
    const old = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    await press(w, card, w.alice, 'Rotate client secret');
    const cards = w.botCards(dm.id).length;
    const stale = await press(w, old, w.alice, 'Rotate client secret');
    expect(dialogTitle(stale)).toBe('This card is out of date');
    expect(w.botCards(dm.id).length).toBe(cards); // no new secret
    expect(textOf(w, old)).toContain('Two are live now'); // drawn again as the app is
    expect(await verifies(w, clientId, secret)).toBe(200);
  });
});
