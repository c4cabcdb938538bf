import { afterEach, describe, expect, it } from 'vitest';
import { submitActions } from '../../../src/cards/inspect-card.js';
import { actionData, adminCards, click, dialogTitle, latestAdminCard } from '../../helpers/approvals.js';
import { flowDriver, goodBasics } from '../../helpers/flow.js';
import { press, sayForCard, sayForText, textOf } from '../../helpers/lifecycle.js';
import { tryCreate } from '../../helpers/access.js';
import { cardText, clickAs, startWorld, unescaped, type World } from '../../helpers/world.js';
import type { Person } from '../../../src/emulator/model.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const mention = (w: World) => `![:Person](${w.botId})`;
const adminText = (w: World) => unescaped(cardText(latestAdminCard(w).body));

/** Registers a public REST API app with 3-legged OAuth, two redirect URIs, interactive messages and two partners. */
async function registerPublic(w: World, person: Person, appName = 'Expense Sync') {
  const dm = await w.dm(person);
  const flow = flowDriver(w, person, dm.id);
  await flow.start();
  await flow.next({ appType: 'rest-api' });
  await flow.next({ ...goodBasics, appName, primaryContact: person.email, promote: 'true' });
  await flow.next({ authMethod: 'oauth', redirectUris: 'https://app.example.com/callback\nhttps://app.example.com/other', refreshTokens: 'true' });
  await flow.next({ scopes: 'ReadMessages', justification: '' });
  await flow.next({ access: 'public', partners: 'bt,telus' });
  await flow.next({ interactiveMessages: 'true', outboundWebhookUrl: 'https://hooks.example.com/cards' });
  const before = adminCards(w).length;
  await flow.click('submit');
  await w.emulator.waitFor(() => adminCards(w).length > before, { message: 'no review card in the admin chat' });
  const app = (await w.bot.registry.listByOwner(person.companyId, person.id)).find((a) => a.appName === appName)!;
  return { dm, app, credentials: unescaped(cardText(flow.flowCard().body)) };
}

describe('a public app', () => {
  it('works privately until an admin approves it going public, then is public; the owner is told and the history says so', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm, app, credentials } = await registerPublic(w, w.alice);
    expect(app.publicReview?.status).toBe('pending');
    expect(credentials).toContain('until they approve, the app works privately, for this account only');

    const review = adminText(w);
    expect(review).toContain('Public app review requested');
    expect(review).toContain('Requester: Alice Archer');
    expect(review).toContain('App: Expense Sync (REST API app)');
    expect(review).toContain('Auth method: 3-legged OAuth');
    expect(review).toContain('Scopes granted: ReadMessages');
    expect(review).toContain('https://app.example.com/callback');
    expect(review).toContain('https://app.example.com/other');
    expect(review).toContain('Outbound webhook URL: https://hooks.example.com/cards');
    expect(review).toContain('Partners: BT Cloud Work, TELUS Business Connect');
    expect(review).toContain('App Gallery: Yes: to be listed in the App Gallery');
    expect(submitActions(latestAdminCard(w).body).map((a) => a.title)).toEqual(['Approve going public', 'Reject']);

    const list = await sayForCard(w, w.alice, dm.id, 'my apps');
    expect(textOf(w, list)).toContain('Access: Private until review');
    expect(textOf(w, await sayForCard(w, w.alice, dm.id, 'app Expense Sync'))).toContain('Access: Private until review: an admin reviews it before other accounts can use it');
    expect(await sayForText(w, w.dave, w.adminChatId, `${mention(w)} pending`)).toContain('**Expense Sync** by Alice Archer: to go public');

    await click(w, w.dave, 'Approve going public');
    expect(adminText(w)).toContain('Approved: the app is public');
    expect(adminText(w)).toMatch(/Decided: .* UTC by Dave Admin/);
    await w.emulator.waitFor(() => w.botCards(dm.id).some((c) => cardText(c.body).includes('is public')), { message: 'Alice was not told' });
    expect(unescaped(cardText(w.botCards(dm.id).at(-1)!.body))).toContain('Approved: Expense Sync is public');
    expect((await w.bot.registry.get(app.clientId))?.publicReview).toMatchObject({ status: 'approved', by: w.dave.id });
    expect(textOf(w, await sayForCard(w, w.alice, dm.id, 'my apps'))).toContain('Access: Public');

    const history = await sayForText(w, w.dave, w.adminChatId, `${mention(w)} audit Expense Sync`);
    expect(history).toContain('going public requested by Alice Archer');
    expect(history).toContain('going public approved for Alice Archer by Dave Admin');
  });

  it('stays private when rejected with a reason, and asks again when its owner saves it as public', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm, app } = await registerPublic(w, w.alice);
    expect(dialogTitle(await click(w, w.dave, 'Reject', { reason: '' }))).toBe('A reason is needed');
    // The requester never decides (a click signed as her, though she is not in the admins' channel).
    expect(dialogTitle(await clickAs(w, latestAdminCard(w).id, w.alice, { ...actionData(w, 'Approve going public') }))).toBe('You cannot decide this request');
    expect(dialogTitle(await click(w, w.dave, 'Approve going public', { requestId: 'nope' }))).toBe('Request not found');
    await click(w, w.dave, 'Reject', { reason: 'The redirect URIs point at a test host.' });
    expect(adminText(w)).toContain('Rejected: the app stays private');
    await w.emulator.waitFor(() => w.botCards(dm.id).some((c) => cardText(c.body).includes('stays private')), { message: 'Alice was not told' });
    const news = unescaped(cardText(w.botCards(dm.id).at(-1)!.body));
    expect(news).toContain('Rejected: Expense Sync stays private');
    expect(news).toContain('Reason: The redirect URIs point at a test host.');
    expect((await w.bot.registry.get(app.clientId))?.publicReview?.status).toBe('rejected');
    const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    expect(textOf(w, card)).toContain('Private (going public was rejected) (reason: The redirect URIs point at a test host.)');

    // Saving the app as public again is asking again: a new review goes to the admins.
    const before = adminCards(w).length;
    await press(w, card, w.alice, 'Edit app');
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.click('submit');
    await w.emulator.waitFor(() => adminCards(w).length > before, { message: 'no new review' });
    expect(adminText(w)).toContain('Public app review requested');
    expect((await w.bot.registry.get(app.clientId))?.publicReview?.status).toBe('pending');
    await click(w, w.erin, 'Approve going public');
    expect((await w.bot.registry.get(app.clientId))?.publicReview?.status).toBe('approved');
  });

  it('closes its waiting review when its owner makes it private', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm, app } = await registerPublic(w, w.alice);
    const reviewCard = latestAdminCard(w).id;
    const approve = actionData(w, 'Approve going public');
    const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    await press(w, card, w.alice, 'Edit app');
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.click('edit', {}, { section: 'access' });
    await flow.next({ access: 'private', partners: '' });
    await flow.click('submit');
    await w.emulator.waitFor(() => cardText(w.emulator.card(reviewCard)!.body).includes('Review closed'), { message: 'the review stayed open' });
    expect(unescaped(cardText(w.emulator.card(reviewCard)!.body))).toContain('Its owner made the app private');
    expect((await w.bot.registry.get(app.clientId))?.publicReview).toBeUndefined();
    expect(submitActions(w.emulator.card(reviewCard)!.body)).toEqual([]);
    // A click from before the card changed finds the request closed.
    expect(dialogTitle(await w.emulator.submit({ cardId: reviewCard, personId: w.dave.id, data: approve }))).toBe('This request was closed');
  });

  it('is raised again, expires undecided (the app stays private) and can be asked for again, within MAX_OPEN_REQUESTS', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], env: { APPROVAL_REMIND_HOURS: '24', APPROVAL_EXPIRE_DAYS: '3', MAX_OPEN_REQUESTS: '1' } }));
    const { dm, app } = await registerPublic(w, w.alice);
    w.clock.advance(25 * 3600_000);
    await w.bot.sweep();
    expect(adminText(w)).toContain('Reminder: this request has been waiting for 25 hours.');
    expect(adminText(w)).toContain('Public app review requested');
    w.clock.advance(2 * 86_400_000);
    await w.bot.sweep();
    expect(adminText(w)).toContain('Review expired');
    const news = w.botCards(dm.id).at(-1)!;
    expect(unescaped(cardText(news.body))).toContain('The review of Expense Sync expired');
    expect((await w.bot.registry.get(app.clientId))?.publicReview?.status).toBe('pending'); // still private
    expect(textOf(w, await sayForCard(w, w.alice, dm.id, 'my apps'))).toContain('Access: Private until review');

    // Another request of hers waits meanwhile: asking again would be one too many.
    expect((await tryCreate(w, w.alice)).form).toBe(true);
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.next({ appType: 'rest-api' });
    await flow.next({ ...goodBasics, appName: 'Other', primaryContact: w.alice.email });
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await flow.next({ scopes: 'ReadMessages,A2PSMS', justification: 'We archive call recordings for compliance audits every quarter.' });
    await flow.next({ access: 'private', partners: '' });
    await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
    await flow.click('submit');
    await w.emulator.waitFor(() => adminText(w).includes('Scope approval requested'), { message: 'no scope request' });
    const askAgain = submitActions(news.body).find((a) => a.data.action === 'request-again')!;
    expect(askAgain.data.kind).toBe('public');
    const refused = await w.emulator.submit({ cardId: news.id, personId: w.alice.id, data: askAgain.data });
    expect(dialogTitle(refused)).toBe('Not asked again');
    expect(JSON.stringify(refused.body)).toContain('Wait until the admins decide some of yours');
    await click(w, w.dave, 'Approve all');
    const again = await w.emulator.submit({ cardId: news.id, personId: w.alice.id, data: askAgain.data });
    expect(dialogTitle(again)).toBe('Asked again');
    await w.emulator.waitFor(() => adminText(w).includes('Public app review requested'), { message: 'no review raised again' });
    await click(w, w.erin, 'Approve going public');
    expect((await w.bot.registry.get(app.clientId))?.publicReview?.status).toBe('approved');
  });
});
