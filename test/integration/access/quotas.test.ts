import { afterEach, describe, expect, it } from 'vitest';
import { restartWith, tryCreate } from '../../helpers/access.js';
import { adminCards, click, dialogTitle, JUSTIFICATION, register } from '../../helpers/approvals.js';
import { flowDriver, goodBasics } from '../../helpers/flow.js';
import { press, registerApp, sayForCard, sayForText } from '../../helpers/lifecycle.js';
import { startWorld, type World } from '../../helpers/world.js';
import type { Person } from '../../../src/emulator/model.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const mention = (w: World) => `![:Person](${w.botId})`;

/** Walks a registration needing an admin's approval (A2PSMS) to its review, and submits it. */
async function submitNeedingApproval(w: World, person: Person, appName: string) {
  const dm = await w.dm(person);
  const flow = flowDriver(w, person, dm.id);
  await flow.start();
  await flow.next({ appType: 'rest-api' });
  await flow.next({ ...goodBasics, appName, primaryContact: person.email });
  await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
  await flow.next({ scopes: 'ReadMessages,A2PSMS', justification: JUSTIFICATION });
  await flow.next({ access: 'private', partners: '' });
  await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
  return { flow, result: await flow.click('submit') };
}

describe('MAX_APPS_PER_PERSON', () => {
  it('stops a person at the limit before a form opens, saying to delete an app; admins are exempt', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], env: { MAX_APPS_PER_PERSON: '2' } }));
    await registerApp(w, w.alice, 'First');
    await registerApp(w, w.alice, 'Second');
    const third = await tryCreate(w, w.alice);
    expect(third.form).toBe(false);
    expect(third.text).toContain('You already have 2 apps, the most one person may have here (2).');
    expect(third.text).toContain('say **my apps**, open it and choose **Delete app…**');
    await registerApp(w, w.dave, 'One');
    await registerApp(w, w.dave, 'Two');
    await registerApp(w, w.dave, 'Three'); // an admin: no limit
    expect(await w.bot.registry.listByOwner(w.account.id, w.dave.id)).toHaveLength(3);
    expect(await sayForText(w, w.dave, w.adminChatId, `${mention(w)} audit ${`![:Person](${w.alice.id})`}`)).toContain('registration stopped by a quota by Alice Archer: apps: at the limit of 2');
  });

  it('is checked again when the form is submitted, and the form is kept', async () => {
    const w = (world = await startWorld({ env: { MAX_APPS_PER_PERSON: '2' } }));
    await registerApp(w, w.alice, 'First');
    const dm = await w.dm(w.alice);
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.start();
    await restartWith(w, { MAX_APPS_PER_PERSON: '1' }); // the limit lowered while the form was open
    await flow.next({ appType: 'rest-api' });
    await flow.next({ ...goodBasics, appName: 'Second' });
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await flow.next({ scopes: 'ReadMessages', justification: '' });
    await flow.next({ access: 'private', partners: '' });
    await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
    const result = await flow.click('submit');
    expect(dialogTitle(result)).toBe('Not registered');
    expect(JSON.stringify(result.body)).toContain('You already have 1 app, the most one person may have here (1).');
    expect(flow.text()).toContain('Review');
    expect((await w.bot.registry.listByOwner(w.account.id, w.alice.id)).map((a) => a.appName)).toEqual(['First']);
  });
});

describe('MAX_APPS_PER_PERSON and hand-overs', () => {
  it('keeps an offer open rather than let its new owner go past the limit', async () => {
    const w = (world = await startWorld({ env: { MAX_APPS_PER_PERSON: '1' } }));
    await registerApp(w, w.bob, 'Bob App');
    const { dm, clientId } = await registerApp(w, w.alice, 'Expense Sync');
    const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    expect(dialogTitle(await press(w, card, w.alice, 'Offer the app', { newOwner: w.bob.id }))).toBe('Offer sent');
    const bobDm = await w.dm(w.bob);
    const offerCard = w.botCards(bobDm.id).at(-1)!.id;
    const refused = await press(w, offerCard, w.bob, 'Accept');
    expect(dialogTitle(refused)).toBe('You have as many apps as you may');
    expect(JSON.stringify(refused.body)).toContain('the offer stays open');
    expect((await w.bot.registry.get(clientId))!.ownerId).toBe(w.alice.id);
  });
});

describe('MAX_OPEN_REQUESTS', () => {
  it('refuses a registration that would file one request too many, saying to wait for decisions; after a decision it goes through', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], env: { MAX_OPEN_REQUESTS: '1' } }));
    await register(w, w.alice, 'ReadMessages,A2PSMS', 'First');
    const { flow, result } = await submitNeedingApproval(w, w.alice, 'Second');
    expect(dialogTitle(result)).toBe('Not registered');
    const said = JSON.stringify(result.body);
    expect(said).toContain('you have 1 waiting for the admins; one person may have at most 1 at once');
    expect(said).toContain('Wait until the admins decide some of yours');
    expect((await w.bot.registry.listByOwner(w.account.id, w.alice.id)).map((a) => a.appName)).toEqual(['First']);
    expect(adminCards(w)).toHaveLength(1);

    // Once the admins decide, the same form goes through.
    await click(w, w.dave, 'Approve all');
    const before = adminCards(w).length;
    await flow.click('submit');
    await w.emulator.waitFor(() => adminCards(w).length > before, { message: 'no request after the decision' });
    expect((await w.bot.registry.listByOwner(w.account.id, w.alice.id)).map((a) => a.appName).sort()).toEqual(['First', 'Second']);
  });

  it('counts a public app\'s review as a request too, and exempts admins', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], env: { MAX_OPEN_REQUESTS: '1' } }));
    await register(w, w.dave, 'ReadMessages,A2PSMS', 'First');
    const second = await submitNeedingApproval(w, w.dave, 'Second');
    expect(dialogTitle(second.result)).toBeUndefined(); // registered: admins have no limit
    expect(await w.bot.registry.listByOwner(w.account.id, w.dave.id)).toHaveLength(2);

    // Alice: a public app needing approval would file two requests (its scopes and its review).
    const dm = await w.dm(w.alice);
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.start();
    await flow.next({ appType: 'rest-api' });
    await flow.next({ ...goodBasics, primaryContact: w.alice.email });
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await flow.next({ scopes: 'ReadMessages,A2PSMS', justification: JUSTIFICATION });
    await flow.next({ access: 'public', partners: 'all' });
    await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
    const result = await flow.click('submit');
    expect(dialogTitle(result)).toBe('Not registered');
    expect(JSON.stringify(result.body)).toContain('This needs 2 approval requests (scopes, and going public), and you have 0 waiting');
  });
});
