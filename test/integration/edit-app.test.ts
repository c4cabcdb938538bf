import MarkdownIt from 'markdown-it';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/approvals/audit-log.js';
import type { Person } from '../../src/emulator/model.js';
import { click as adminClick, adminCards, dialogTitle, JUSTIFICATION, latestAdminCard, register, registerOnly, scopesOf } from '../helpers/approvals.js';
import { flowDriver, submitActions } from '../helpers/flow.js';
import { cardText, clickAs, startWorld, unescaped, type World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function adminWorld() {
  world = await startWorld({ adminChat: ['dave', 'erin'] });
  return world;
}

/** Types `edit app <query>` in the person's direct chat and returns a driver on the form it opens. */
async function openEdit(w: World, person: Person, query: string) {
  const dm = await w.emulator.directChat(person.id, w.botId);
  const flow = flowDriver(w, person, dm.id);
  const before = w.botCards(dm.id).length;
  await w.emulator.post({ chatId: dm.id, personId: person.id, text: `edit app ${query}` });
  await w.emulator.waitFor(() => w.botCards(dm.id).length > before, { message: 'no edit form' });
  return { dm, flow };
}

const auditOf = async (w: World, clientId: string) => (await w.bot.services.store.collection<AuditEntry>('audit').find('client', clientId)).filter((e) => e.event === 'edited');
const titles = (flow: ReturnType<typeof flowDriver>) => submitActions(flow.flowCard().body).map((a) => a.title);

describe('edit app', () => {
  it('opens the form at its review on the app as it is, and saves a new name without touching the secret', async () => {
    const w = await adminWorld();
    const { app, secret } = await registerOnly(w, w.alice, 'ReadMessages');
    const { flow } = await openEdit(w, w.alice, 'Expense Sync');
    const review = flow.text();
    expect(review).toContain('Edit Expense Sync · Review');
    expect(review).toContain('App type (cannot change)');
    expect(review).toContain('Granted at once: ReadMessages');
    expect(titles(flow)).toEqual(expect.arrayContaining(['Save changes', 'Cancel', 'Edit name and contact', 'Edit scopes']));
    expect(titles(flow)).not.toContain('Edit app type');
    expect(titles(flow)).not.toContain('Back');
    expect(titles(flow)).not.toContain('Register app');

    await flow.click('edit', {}, { section: 'basics' });
    expect(flow.text()).toContain('Edit Expense Sync · Step 2 of 7: Name and contact');
    await flow.next({ appName: 'Expense Sync Two', displayName: 'Expense Two' });
    expect(flow.text()).toContain('App name: Expense Sync Two');
    await flow.click('submit');
    const saved = flow.flowCard();
    expect(submitActions(saved.body)).toEqual([]);
    const text = cardText(saved.body);
    expect(text).toContain('Changes saved to Expense Sync Two');
    expect(text).toContain('Changed: App name, Display name');
    expect(text).toContain('Your client ID and secrets are unchanged.');
    expect(text).not.toMatch(/rgr_/);

    expect(await w.bot.registry.get(app.clientId)).toMatchObject({ appName: 'Expense Sync Two', displayName: 'Expense Two' });
    expect((await scopesOf(w, app.clientId, secret)).scopes).toEqual(['ReadMessages']); // the old secret still works
    const entries = await auditOf(w, app.clientId);
    expect(entries.map((e) => [e.actorId, e.detail])).toEqual([[w.alice.id, 'changed App name, Display name']]);
  });

  it('grants an added scope that needs no approval at once', async () => {
    const w = await adminWorld();
    const { app, secret } = await registerOnly(w, w.alice, 'ReadMessages');
    const { flow } = await openEdit(w, w.alice, app.clientId);
    await flow.click('edit', {}, { section: 'scopes' });
    await flow.next({ scopes: 'ReadMessages,SMS', approvalScopes: '' });
    await flow.click('submit');
    expect(cardText(flow.flowCard().body)).toContain('Scopes granted at once: SMS');
    expect(await scopesOf(w, app.clientId, secret)).toMatchObject({ scopes: ['ReadMessages', 'SMS'], pendingScopes: [] });
    expect(adminCards(w)).toEqual([]);
  });

  it('sends an added scope that needs approval to the admins: pending until approved, then granted', async () => {
    const w = await adminWorld();
    const { app, secret } = await registerOnly(w, w.alice, 'ReadMessages');
    const { flow } = await openEdit(w, w.alice, 'Expense Sync');
    await flow.click('edit', {}, { section: 'scopes' });
    await flow.next({ scopes: 'ReadMessages', approvalScopes: 'ReadCallRecording' });
    // The justification is asked, as at registration.
    expect(flow.text()).toMatch(/explain why your app needs/);
    await flow.next({ justification: 'We archive call recordings for compliance audits every quarter.' });
    await flow.click('submit');
    const saved = cardText(flow.flowCard().body);
    expect(saved).toContain('Awaiting an admin: ReadCallRecording');
    expect(saved).toContain('The admins have the request for ReadCallRecording');
    await w.emulator.waitFor(() => adminCards(w).length === 1, { message: 'no admin card' });
    expect(unescaped(cardText(latestAdminCard(w).body))).toContain('We archive call recordings');
    expect(await scopesOf(w, app.clientId, secret)).toMatchObject({ scopes: ['ReadMessages'], pendingScopes: ['ReadCallRecording'] });
    await adminClick(w, w.dave, 'Approve all');
    expect(await scopesOf(w, app.clientId, secret)).toMatchObject({ scopes: ['ReadMessages', 'ReadCallRecording'], pendingScopes: [] });
  });

  it('files a second request beside one still open, and a scope removed meanwhile is not granted by its approval', async () => {
    const w = await adminWorld();
    const { app, secret } = await register(w, w.alice, 'ReadMessages,ReadCallRecording'); // request 1 open
    const { flow } = await openEdit(w, w.alice, 'Expense Sync');
    await flow.click('edit', {}, { section: 'scopes' });
    await flow.next({ scopes: 'ReadMessages', approvalScopes: 'A2PSMS', justification: JUSTIFICATION }); // ReadCallRecording out, A2PSMS in
    await flow.click('submit');
    const saved = cardText(flow.flowCard().body);
    expect(saved).toContain('Scopes removed: ReadCallRecording');
    expect(saved).toContain('Awaiting an admin: A2PSMS');
    await w.emulator.waitFor(() => adminCards(w).length === 2, { message: 'no second admin card' });
    expect(await scopesOf(w, app.clientId, secret)).toMatchObject({ scopes: ['ReadMessages'], pendingScopes: ['A2PSMS'] });
    // The first request still asks for ReadCallRecording: approving it grants nothing the app no longer wants.
    await adminClick(w, w.dave, 'Approve all', {}, adminCards(w)[0]!.id);
    expect(await scopesOf(w, app.clientId, secret)).toMatchObject({ scopes: ['ReadMessages'], pendingScopes: ['A2PSMS'] });
    await adminClick(w, w.dave, 'Approve all', {}, adminCards(w)[1]!.id);
    expect(await scopesOf(w, app.clientId, secret)).toMatchObject({ scopes: ['ReadMessages', 'A2PSMS'], pendingScopes: [] });
  });

  it('removes a granted scope at once', async () => {
    const w = await adminWorld();
    const { app, secret } = await registerOnly(w, w.alice, 'ReadMessages,SMS');
    const { flow } = await openEdit(w, w.alice, 'Expense Sync');
    await flow.click('edit', {}, { section: 'scopes' });
    await flow.next({ scopes: 'SMS', approvalScopes: '' });
    await flow.click('submit');
    expect(cardText(flow.flowCard().body)).toContain('Scopes removed: ReadMessages');
    expect((await scopesOf(w, app.clientId, secret)).scopes).toEqual(['SMS']);
    expect((await auditOf(w, app.clientId))[0]!.detail).toBe('scopes removed: ReadMessages');
  });

  it('never changes the type: an edit-type click is refused and the review has no such button', async () => {
    const w = await adminWorld();
    const { app } = await registerOnly(w, w.alice, 'ReadMessages');
    const { flow } = await openEdit(w, w.alice, 'Expense Sync');
    const before = flow.text();
    const result = await flow.click('edit', {}, { data: { ...flow.action('submit'), action: 'edit', section: 'type' } });
    expect(dialogTitle(result)).toBe('This form has moved on');
    expect(flow.text()).toBe(before);
    const result2 = await flow.click('next', { appType: 'bot' }, { data: { ...flow.action('submit'), action: 'next' } });
    expect(dialogTitle(result2)).toBe('This form has moved on');
    await flow.click('submit');
    expect((await w.bot.registry.get(app.clientId))!.appType).toBe('rest-api');
  });

  it("refuses the name of another of the owner's apps, and accepts the app's own name", async () => {
    const w = await adminWorld();
    await registerOnly(w, w.alice, 'ReadMessages', 'Other App');
    const { app } = await registerOnly(w, w.alice, 'ReadMessages', 'Expense Sync');
    const { flow } = await openEdit(w, w.alice, 'Expense Sync');
    await flow.click('edit', {}, { section: 'basics' });
    await flow.next({ appName: 'other app' });
    expect(flow.text()).toContain('You already have an app called "other app"');
    await flow.next({ appName: 'Expense Sync' });
    expect(flow.text()).toContain('Edit Expense Sync · Review');
    await flow.click('submit');
    expect(cardText(flow.flowCard().body)).toContain('No changes to Expense Sync');
    expect((await w.bot.registry.get(app.clientId))!.appName).toBe('Expense Sync');
    expect(await auditOf(w, app.clientId)).toEqual([]);
  });

  it("refuses someone else's click on the app's edit button and their edit command, and their clicks on the form", async () => {
    const w = await adminWorld();
    const { app, dm } = await registerOnly(w, w.alice, 'ReadMessages');
    const credentials = w.botCards(dm.id).at(-1)!;
    // The app card's button, clicked by Bob (the data names Alice's app).
    const foreign = await clickAs(w, credentials.id, w.bob, { action: 'edit-app', clientId: app.clientId, botId: w.botId });
    expect(dialogTitle(foreign)).toBe('This app is not yours');
    const bobDm = await w.emulator.directChat(w.bob.id, w.botId);
    const [reply] = await w.say(w.bob, bobDm.id, `edit app ${app.clientId}`);
    expect(reply!.text).toContain('I know no app of yours called');
    expect(w.botCards(bobDm.id)).toEqual([]);
    // Alice's form, clicked by Bob.
    const { flow } = await openEdit(w, w.alice, 'Expense Sync');
    const result = await clickAs(w, flow.flowCard().id, w.bob, flow.action('submit'));
    expect(dialogTitle(result)).toBe('This form is not yours');
  });

  it('opens the form from the edit-app button for the owner, and says so for a deleted app', async () => {
    const w = await adminWorld();
    const { app, dm } = await registerOnly(w, w.alice, 'ReadMessages');
    const credentials = w.botCards(dm.id).at(-1)!;
    const before = w.botCards(dm.id).length;
    await w.emulator.submit({ cardId: credentials.id, personId: w.alice.id, data: { action: 'edit-app', clientId: app.clientId, botId: w.botId } });
    await w.emulator.waitFor(() => w.botCards(dm.id).length > before, { message: 'no edit form' });
    expect(cardText(w.botCards(dm.id).at(-1)!.body)).toContain('Edit Expense Sync · Review');
    await w.bot.registry.update(app.clientId, (a) => ({ ...a, status: 'deleted' }));
    const gone = await w.emulator.submit({ cardId: credentials.id, personId: w.alice.id, data: { action: 'edit-app', clientId: app.clientId, botId: w.botId } });
    expect(dialogTitle(gone)).toBe('This app cannot be changed');
    // The form already open cannot save over a deleted app.
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.click('submit');
    expect(cardText(flow.flowCard().body)).toContain('This app was deleted, so it cannot be changed.');
    expect((await w.bot.registry.get(app.clientId))!.lastEdit).toBeUndefined();
  });

  it('lets the owner change a suspended app, which stays suspended, and says so', async () => {
    const w = await adminWorld();
    const { app, secret } = await registerOnly(w, w.alice, 'ReadMessages');
    await w.bot.registry.update(app.clientId, (a) => ({ ...a, status: 'suspended', suspension: { at: new Date().toISOString(), by: w.dave.id, reason: 'Leaked secret' } }));
    const { flow } = await openEdit(w, w.alice, 'Expense Sync');
    expect(flow.text()).toContain('Expense Sync is suspended: you can change it, but it stays suspended until an admin reinstates it.');
    await flow.click('edit', {}, { section: 'basics' });
    await flow.next({ displayName: 'Expense Sync (new)' });
    await flow.click('submit');
    expect(cardText(flow.flowCard().body)).toContain('The app is still suspended');
    expect(await w.bot.registry.get(app.clientId)).toMatchObject({ status: 'suspended', displayName: 'Expense Sync (new)' });
    expect((await request(w.bot.url).get(`/registry/clients/${app.clientId}`).auth(app.clientId, secret)).status).toBe(401);
  });

  it('cancels without changing the app', async () => {
    const w = await adminWorld();
    const { app } = await registerOnly(w, w.alice, 'ReadMessages');
    const stored = await w.bot.registry.get(app.clientId);
    const { flow } = await openEdit(w, w.alice, 'Expense Sync');
    await flow.click('edit', {}, { section: 'basics' });
    await flow.next({ appName: 'Renamed' });
    await flow.click('cancel');
    expect(cardText(flow.flowCard().body)).toContain('Edit cancelled');
    expect(cardText(flow.flowCard().body)).toContain('Nothing was changed: Expense Sync is as it was.');
    expect(await w.bot.registry.get(app.clientId)).toEqual(stored);
  });

  it('saves once when Save is clicked twice', async () => {
    const w = await adminWorld();
    const { app } = await registerOnly(w, w.alice, 'ReadMessages');
    const { flow } = await openEdit(w, w.alice, 'Expense Sync');
    await flow.click('edit', {}, { section: 'scopes' });
    await flow.next({ scopes: 'ReadMessages', approvalScopes: 'A2PSMS', justification: 'We send appointment reminders to our customers by SMS.' });
    const [a, b] = await Promise.all([flow.click('submit'), flow.click('submit')]);
    expect([dialogTitle(a), dialogTitle(b)].filter(Boolean)).toHaveLength(1);
    await w.emulator.waitFor(() => adminCards(w).length === 1, { message: 'no admin card' });
    expect(await auditOf(w, app.clientId)).toHaveLength(1);
    expect((await w.bot.registry.get(app.clientId))!.pendingScopes).toEqual(['A2PSMS']);
  });

  it('ends the shared secrets when interactive messages are turned off, and says how to get one when turned on', async () => {
    const w = await adminWorld();
    const { app } = await registerOnly(w, w.alice, 'ReadMessages');
    const { flow } = await openEdit(w, w.alice, 'Expense Sync');
    await flow.click('edit', {}, { section: 'features' });
    await flow.next({ interactiveMessages: 'true' });
    await flow.next({ interactiveMessages: 'true', outboundWebhookUrl: 'https://hooks.example.com/rc' });
    await flow.click('submit');
    expect(cardText(flow.flowCard().body)).toContain('Interactive messages are on, but the app has no shared secret yet');
    // An app with a shared secret turning them off.
    await w.bot.registry.update(app.clientId, (a) => ({ ...a, sharedSecrets: [{ id: 'ss-x', sealed: 'x', last4: 'abcd', issuedAt: new Date().toISOString() }] }));
    const again = await openEdit(w, w.alice, 'Expense Sync');
    await again.flow.click('edit', {}, { section: 'features' });
    await again.flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
    await again.flow.click('submit');
    expect(cardText(again.flow.flowCard().body)).toContain('Ended: interactive messages are off');
    expect((await w.bot.registry.get(app.clientId))!.sharedSecrets).toEqual([]);
  });

  it('shows a hostile app name as text on the form and the summary', async () => {
    const w = await adminWorld();
    const appName = `![:Person](${w.dave.id}) [Approve here](https://evil.example)`;
    const { app } = await registerOnly(w, w.alice, 'ReadMessages', appName);
    const { flow } = await openEdit(w, w.alice, app.clientId);
    const md = new MarkdownIt();
    const heading = (flow.flowCard().body.body as { text?: string }[])[0]!.text!;
    const tokens = md.parseInline(heading, {})[0]!.children!;
    expect(tokens.every((t) => t.type === 'text')).toBe(true);
    expect(unescaped(heading)).toBe(`Edit ${appName} · Review`);
    await flow.click('submit');
    const card = flow.flowCard().body as unknown as { body: { items: { text?: string }[] }[] };
    const title = card.body[0]!.items[0]!.text!;
    expect(md.parseInline(title, {})[0]!.children!.every((t) => t.type === 'text')).toBe(true);
    expect(unescaped(title)).toBe(`No changes to ${appName}`);
  });
});

describe('edit app next to other forms', () => {
  it('shows an open registration again instead of opening a second form', async () => {
    const w = await adminWorld();
    await registerOnly(w, w.alice, 'ReadMessages');
    const dm = await w.emulator.directChat(w.alice.id, w.botId);
    await w.say(w.alice, dm.id, 'create app');
    await w.say(w.alice, dm.id, 'edit app Expense Sync');
    expect(cardText(w.botCards(dm.id).at(-1)!.body)).toMatch(/You have a registration open: here it is\. Finish or cancel it/);
  });

});
