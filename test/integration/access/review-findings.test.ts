import { afterEach, describe, expect, it } from 'vitest';
import { submitActions } from '../../../src/cards/inspect-card.js';
import { membersKnown, restartWith, tryCreate } from '../../helpers/access.js';
import { actionData, adminCards, click, dialogTitle, JUSTIFICATION, latestAdminCard } from '../../helpers/approvals.js';
import { flowDriver, goodBasics, walkToReview } from '../../helpers/flow.js';
import { press, registerApp, sayForCard, sayForText } from '../../helpers/lifecycle.js';
import { discover, oidc, REDIRECT, browser, formAction } from '../../helpers/oauth.js';
import { until } from '../../helpers/poll.js';
import { cardText, startWorld, unescaped, type World } from '../../helpers/world.js';
import type { Person } from '../../../src/emulator/model.js';

/**
 * Findings of the outside review of issue 14 (creator policy, access requests, public reviews,
 * quotas, audit @person), kept as tests: each states what a user or admin expects.
 */

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const mention = (w: World, id = w.botId) => `![:Person](${id})`;

/** A public REST API app with 3-legged OAuth (no scope needing approval), submitted; waits for its review card. */
async function registerPublic(w: World, person: Person, appName = 'Expense Sync') {
  const dm = await w.dm(person);
  const flow = flowDriver(w, person, dm.id);
  await flow.start();
  await flow.next({ appType: 'rest-api' });
  await flow.next({ ...goodBasics, appName, primaryContact: person.email });
  await flow.next({ authMethod: 'oauth', redirectUris: REDIRECT, refreshTokens: 'true' });
  await flow.next({ scopes: 'ReadMessages', justification: '' });
  await flow.next({ access: 'public', partners: 'all' });
  await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
  const before = adminCards(w).length;
  await flow.click('submit');
  await w.emulator.waitFor(() => adminCards(w).length > before, { message: 'no review card in the admin chat' });
  const app = (await w.bot.registry.listByOwner(person.companyId, person.id)).find((a) => a.appName === appName)!;
  const secret = cardText(flow.flowCard().body).match(/rgr_cs_[0-9A-Za-z]{38}/)![0];
  return { dm, app, secret, reviewCardId: latestAdminCard(w).id };
}

/** Opens a new registration form in the person's direct chat (other cards with buttons may be there already). */
async function startForm(w: World, person: Person) {
  const dm = await w.dm(person);
  const forms = () => w.botCards(dm.id).filter((c) => submitActions(c.body).some((a) => typeof a.data.flowId === 'string')).length;
  const before = forms();
  await w.emulator.post({ chatId: dm.id, personId: person.id, text: 'create app' });
  await w.emulator.waitFor(() => forms() > before, { message: 'no new form card' });
  return flowDriver(w, person, dm.id);
}

/** Offers `clientId` from `from` to `to` and returns the offer card in `to`'s direct chat. */
async function offer(w: World, from: Person, to: Person, appName: string) {
  const dm = await w.dm(from);
  const card = await sayForCard(w, from, dm.id, `app ${appName}`);
  expect(dialogTitle(await press(w, card, from, 'Offer the app', { newOwner: to.id }))).toBe('Offer sent');
  const toDm = await w.dm(to);
  return w.botCards(toDm.id).at(-1)!.id;
}

describe('hand-over of an app whose review is waiting', () => {
  it('does not let the new owner, an admin, approve their own app going public', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { app, reviewCardId } = await registerPublic(w, w.alice);
    const offerCard = await offer(w, w.alice, w.dave, 'Expense Sync');
    await press(w, offerCard, w.dave, 'Accept');
    expect((await w.bot.registry.get(app.clientId))!.ownerId).toBe(w.dave.id);
    // Dave now owns the app: deciding its review is deciding his own request.
    const result = await click(w, w.dave, 'Approve going public', {}, reviewCardId);
    expect(dialogTitle(result)).toBe('You cannot decide this request');
    expect((await w.bot.registry.get(app.clientId))!.publicReview?.status).toBe('pending');
  });

  it('stops counting the app\'s waiting review against the previous owner\'s MAX_OPEN_REQUESTS', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], env: { MAX_OPEN_REQUESTS: '1' } }));
    await registerPublic(w, w.alice);
    const offerCard = await offer(w, w.alice, w.bob, 'Expense Sync');
    await press(w, offerCard, w.bob, 'Accept');
    // Alice owns nothing waiting any more; a registration needing one approval must go through.
    const flow = await startForm(w, w.alice);
    await flow.next({ appType: 'rest-api' });
    await flow.next({ ...goodBasics, appName: 'Second', primaryContact: w.alice.email });
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await flow.next({ scopes: 'ReadMessages,A2PSMS', justification: JUSTIFICATION });
    await flow.next({ access: 'private', partners: '' });
    await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
    const result = await flow.click('submit');
    expect(JSON.stringify(result.body)).not.toContain('waiting for the admins');
    expect(dialogTitle(result)).toBeUndefined();
  });

  it('tells the person accepting that the app is still held for review', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    await registerPublic(w, w.alice);
    const offerCard = await offer(w, w.alice, w.bob, 'Expense Sync');
    expect(unescaped(cardText(w.emulator.card(offerCard)!.body))).toMatch(/review|Private until/i);
  });
});

describe('a public app once approved', () => {
  it('is usable by another account, as the owner was told ("Other accounts can use it now")', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm, app, secret } = await registerPublic(w, w.alice);
    await click(w, w.dave, 'Approve going public');
    await w.emulator.waitFor(() => w.botCards(dm.id).some((c) => cardText(c.body).includes('is public')), { message: 'Alice was not told' });
    const news = unescaped(cardText(w.botCards(dm.id).at(-1)!.body));
    expect(news).toContain('Other accounts can use it now');

    // A person of another account (with the bot installed there too) signs in to the public app.
    const other = w.emulator.createAccount({ name: 'Globex' });
    const mallory = w.emulator.addPerson({ accountId: other.id, firstName: 'Mallory', lastName: 'Marsh', email: 'mallory@globex.example' });
    await w.emulator.installBot({ clientId: w.app.clientId, accountId: other.id, installerId: mallory.id });
    await w.bot.installations.idle();
    const config = await discover(w, app.clientId, secret);
    const verifier = oidc.randomPKCECodeVerifier();
    const params = { redirect_uri: REDIRECT, scope: 'ReadMessages', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
    const b = browser();
    const start = await b.go(oidc.buildAuthorizationUrl(config, params).href);
    await b.go(formAction(start.html, start.url, '/identify'), { form: { email: mallory.email } });
    const linkForMallory = () => w.emulator.posts().some((p) => (p.text ?? '').includes('/signin/') && w.emulator.chat(p.groupId)?.members.includes(mallory.id));
    await w.emulator.waitFor(linkForMallory, {
      message: 'no sign-in link for a person of another account: the public app serves only its own account',
      timeoutMs: 3000,
    });
  });
});

describe('audit @person', () => {
  it('looks nobody up by email, so no conversation is opened with a person of another account, and says to mention them or give their id', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const other = w.emulator.createAccount({ name: 'Globex' });
    const mallory = w.emulator.addPerson({ accountId: other.id, firstName: 'Mallory', lastName: 'Marsh', email: 'mallory@globex.example' });
    const botChats = () => w.emulator.chats().filter((c) => c.members.includes(w.botId)).map((c) => c.id);
    const before = botChats();
    for (const typed of [mallory.email, `person ${mallory.email}`, `${w.carol.email} page 2`]) {
      const answer = await sayForText(w, w.dave, w.adminChatId, `${mention(w)} audit ${typed}`);
      expect(answer).toContain('I do not look people up by email address');
      expect(answer).toContain('Mention them instead');
      expect(answer).toContain('audit person <ID>');
    }
    // Looking someone up must not have the bot start a chat with anyone, least of all an outsider.
    expect(w.emulator.chats().filter((c) => c.members.includes(mallory.id) && c.members.includes(w.botId))).toEqual([]);
    expect(botChats()).toEqual(before);
  });

  it('shows hostile text typed by people as text', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    await restartWith(w, { CREATORS: w.alice.id });
    const bobDm = await w.dm(w.bob);
    expect(await sayForText(w, w.bob, bobDm.id, 'request access')).toContain('with the admins');
    await w.emulator.waitFor(() => adminCards(w).length === 1, { message: 'no access request card' });
    const hostile = `**bold** ${mention(w, w.carol.id)} [click](https://evil.example) ${'x'.repeat(3000)}`;
    await click(w, w.dave, 'Refuse', { reason: hostile });
    const history = w.botTexts(w.adminChatId);
    const before = history.length;
    await w.emulator.post({ chatId: w.adminChatId, personId: w.dave.id, text: `${mention(w)} audit ${mention(w, w.bob.id)}` });
    await w.emulator.waitFor(() => w.botTexts(w.adminChatId).length > before, { message: 'no audit answer' });
    const raw = w.botTexts(w.adminChatId).at(-1)!;
    expect(raw).not.toContain(`![:Person](${w.carol.id})`);
    expect(raw).not.toContain('[click](https://evil.example)');
    expect(raw).not.toMatch(/(^|[^\\])\*\*bold/);
    expect(raw.length).toBeLessThan(10_000);
    // Bob was told the reason as text too.
    await w.emulator.waitFor(() => w.botTexts(bobDm.id).some((t) => t.includes('refused your request')), { message: 'Bob was not told' });
    const told = w.botTexts(bobDm.id).find((t) => t.includes('refused your request'))!;
    expect(told).not.toContain(`![:Person](${w.carol.id})`);
  });
});

describe('the creators\' chat', () => {
  it('refuses its members (politely) once the bot is removed from it', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const team = await w.emulator.createChat({ accountId: w.account.id, type: 'Team', name: 'Developers', members: [w.alice.id, w.bob.id] });
    await restartWith(w, { CREATORS: `chat:${team.id}` });
    await w.emulator.addMembers(team.id, [w.botId]);
    await membersKnown(w, team.id, (m) => m.includes(w.bob.id));
    expect((await tryCreate(w, w.bob)).form).toBe(true);
    await w.emulator.removeMembers(team.id, [w.botId]);
    await until(async () => (await w.bot.services.store.collection('chat-members').get(team.id)) === undefined, 'kept members not dropped');
    const bob = await tryCreate(w, w.bob);
    expect(bob.form).toBe(false);
    expect(bob.text).toContain('I cannot check its members right now');
  });

  it('refuses at submit someone who left the team while their form was open', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const team = await w.emulator.createChat({ accountId: w.account.id, type: 'Team', name: 'Developers', members: [w.alice.id, w.bob.id] });
    await restartWith(w, { CREATORS: `chat:${team.id}` });
    await w.emulator.addMembers(team.id, [w.botId]);
    await membersKnown(w, team.id, (m) => m.includes(w.bob.id));
    const dm = await w.dm(w.bob);
    const flow = flowDriver(w, w.bob, dm.id);
    await flow.start();
    await w.emulator.removeMembers(team.id, [w.bob.id]);
    await membersKnown(w, team.id, (m) => !m.includes(w.bob.id));
    await walkToReview(flow);
    const result = await flow.click('submit');
    expect(dialogTitle(result)).toBe('Not registered');
    expect(await w.bot.registry.listByOwner(w.account.id, w.bob.id)).toEqual([]);
  });
});

describe('requests and decisions at the same moment', () => {
  it('files one request when Request access is clicked twice at once', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    await restartWith(w, { CREATORS: w.alice.id });
    const answer = await tryCreate(w, w.bob);
    const dm = await w.dm(w.bob);
    await Promise.all([press(w, answer.cardId!, w.bob, 'Request access'), press(w, answer.cardId!, w.bob, 'Request access'), w.emulator.post({ chatId: dm.id, personId: w.bob.id, text: 'request access' })]);
    await w.emulator.waitFor(() => adminCards(w).length >= 1, { message: 'no request card' });
    await w.emulator.settle();
    expect(adminCards(w)).toHaveLength(1);
    expect((await w.bot.services.store.collection<{ status: string }>('access-requests').find('person', `${w.account.id}:${w.bob.id}`)).filter((r) => r.status === 'open')).toHaveLength(1);
  });

  it('tells a member of the admins\' channel who is no admin, clicking Grant on their own request, that only admins decide', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin', 'bob'], adminIds: ['dave', 'erin'] }));
    await restartWith(w, { CREATORS: w.alice.id });
    const bobDm = await w.dm(w.bob);
    await sayForText(w, w.bob, bobDm.id, 'request access');
    await w.emulator.waitFor(() => adminCards(w).length === 1, { message: 'no request card' });
    const result = await click(w, w.bob, 'Grant');
    expect(dialogTitle(result)).toBe('You cannot decide this request');
    expect(JSON.stringify(result.body)).toContain('Only Registrar admins can grant or refuse');
    expect((await tryCreate(w, w.bob)).form).toBe(false);
  });

  it('leaves one outcome when two admins grant and refuse at once, and tells the person once', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    await restartWith(w, { CREATORS: w.alice.id });
    const bobDm = await w.dm(w.bob);
    await sayForText(w, w.bob, bobDm.id, 'request access');
    await w.emulator.waitFor(() => adminCards(w).length === 1, { message: 'no request card' });
    const cardId = latestAdminCard(w).id;
    const [a, b] = await Promise.all([click(w, w.dave, 'Grant', {}, cardId), click(w, w.erin, 'Refuse', { reason: 'No.' }, cardId)]);
    const titles = [dialogTitle(a), dialogTitle(b)];
    expect(titles.filter((t) => t === undefined)).toHaveLength(1);
    await w.emulator.waitFor(() => w.botTexts(bobDm.id).some((t) => /granted you|refused your/.test(t)), { message: 'Bob not told' });
    await w.emulator.settle();
    expect(w.botTexts(bobDm.id).filter((t) => /granted you|refused your/.test(t))).toHaveLength(1);
  });

  it('lets only one of two admins decide a public review clicked at once', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm, app, reviewCardId } = await registerPublic(w, w.alice);
    const approve = actionData(w, 'Approve going public', reviewCardId);
    const reject = actionData(w, 'Reject', reviewCardId);
    await Promise.all([
      w.emulator.submit({ cardId: reviewCardId, personId: w.dave.id, data: approve }),
      w.emulator.submit({ cardId: reviewCardId, personId: w.erin.id, data: { ...reject, reason: 'No.' } }),
    ]);
    await w.emulator.settle();
    const status = (await w.bot.registry.get(app.clientId))!.publicReview!.status;
    expect(['approved', 'rejected']).toContain(status);
    const news = w.botCards(dm.id).filter((c) => /is public|stays private/.test(cardText(c.body)));
    expect(news).toHaveLength(1);
  });
});

describe('MAX_APPS_PER_PERSON with a hand-over accepted while a form is submitted', () => {
  it('never lets a person own more than the limit', async () => {
    const w = (world = await startWorld({ env: { MAX_APPS_PER_PERSON: '1' } }));
    await registerApp(w, w.alice, 'Gift');
    const offerCard = await offer(w, w.alice, w.bob, 'Gift');
    const flow = await startForm(w, w.bob);
    await walkToReview(flow);
    await Promise.all([flow.click('submit'), press(w, offerCard, w.bob, 'Accept')]);
    await w.emulator.settle();
    expect((await w.bot.registry.listByOwner(w.account.id, w.bob.id)).length).toBeLessThanOrEqual(1);
  });
});

describe('a lone admin', () => {
  it('has a way forward for their own public app when they are the only admin', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], adminIds: ['dave'] }));
    const { reviewCardId } = await registerPublic(w, w.dave);
    const result = await click(w, w.dave, 'Approve going public', {}, reviewCardId);
    // Nobody else can ever decide: the answer must say what to do, not only "another admin".
    expect(JSON.stringify(result.body)).toMatch(/ADMIN_IDS|no other admin|only admin/i);
    expect(submitActions(latestAdminCard(w).body).length).toBeGreaterThan(0);
  });
});

describe('CREATORS=chat:<id> for a team the bot is already in', () => {
  it('lets the team\'s members register when the bot joined the team before CREATORS named it', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const team = await w.emulator.createChat({ accountId: w.account.id, type: 'Team', name: 'Developers', members: [w.alice.id, w.bob.id, w.carol.id] });
    // The bot was added to the developers' team while CREATORS was still * (the default) ...
    await w.emulator.addMembers(team.id, [w.botId]);
    await w.emulator.settle();
    // ... and the operator then points CREATORS at it.
    await restartWith(w, { CREATORS: `chat:${team.id}` });
    const carol = await tryCreate(w, w.carol);
    expect(carol.text).not.toContain('I may not be in that chat');
    expect(carol.form).toBe(true);
  });
});

describe('deleting an app whose review is waiting', () => {
  it('closes the review, says so on its card, and frees the owner\'s open-request slot', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], env: { MAX_OPEN_REQUESTS: '1' } }));
    const { dm, reviewCardId } = await registerPublic(w, w.alice);
    const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    await press(w, card, w.alice, 'Delete app…');
    await press(w, w.botCards(dm.id).at(-1)!.id, w.alice, 'Delete for good');
    await until(async () => !(await w.bot.registry.listByOwner(w.account.id, w.alice.id)).length, 'the app was not deleted');
    await w.emulator.waitFor(() => cardText(w.emulator.card(reviewCardId)!.body).includes('Review closed'), { message: 'the review card was not closed' });
    expect(unescaped(cardText(w.emulator.card(reviewCardId)!.body))).toContain('deleted the app');
    const flow = await startForm(w, w.alice);
    await flow.next({ appType: 'rest-api' });
    await flow.next({ ...goodBasics, appName: 'Next', primaryContact: w.alice.email });
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await flow.next({ scopes: 'ReadMessages,A2PSMS', justification: JUSTIFICATION });
    await flow.next({ access: 'private', partners: '' });
    await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
    expect(dialogTitle(await flow.click('submit'))).toBeUndefined();
  });
});

describe('open access requests for the admins', () => {
  it('are listed by pending, so one whose card scrolled away is not lost', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    await restartWith(w, { CREATORS: w.alice.id });
    const bobDm = await w.dm(w.bob);
    await sayForText(w, w.bob, bobDm.id, 'request access');
    await w.emulator.waitFor(() => adminCards(w).length === 1, { message: 'no request card' });
    const pending = await sayForText(w, w.dave, w.adminChatId, `${mention(w)} pending`);
    expect(pending).toContain('Bob Baker');
  });

});

describe('quota refusals in the history', () => {
  it('are written once per person and limit a day, not once per create app typed', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], env: { MAX_APPS_PER_PERSON: '1' } }));
    await registerApp(w, w.alice, 'First');
    for (let i = 0; i < 3; i++) expect((await tryCreate(w, w.alice)).form).toBe(false);
    const history = await sayForText(w, w.dave, w.adminChatId, `${mention(w)} audit ${mention(w, w.alice.id)}`);
    expect(history.match(/registration stopped by a quota/g) ?? []).toHaveLength(1);
    // The next day counts again.
    w.clock.advance(86_400_000);
    expect((await tryCreate(w, w.alice)).form).toBe(false);
    const later = await sayForText(w, w.dave, w.adminChatId, `${mention(w)} audit ${mention(w, w.alice.id)}`);
    expect(later.match(/registration stopped by a quota/g) ?? []).toHaveLength(2);
  });
});
