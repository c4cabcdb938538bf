import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { validateCard } from '../../src/cards/validate-card.js';
import { actionData, adminCards, click, dialogTitle, JUSTIFICATION, latestAdminCard, register, scopesOf } from '../helpers/approvals.js';
import { submitActions } from '../helpers/flow.js';
import { cardText, clickAs, startWorld, unescaped, type World, type WorldOptions } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function adminWorld(options: WorldOptions = {}) {
  world = await startWorld({ adminChat: ['dave', 'erin'], ...options });
  return world;
}

/** The requester's newest card in their DM (the outcome of a decision). */
const requesterNews = (w: World, chatId: string) => unescaped(cardText(w.botCards(chatId).at(-1)!.body));

describe('filing a request', () => {
  it('creates the app with its ordinary scopes and posts the sensitive ones to the admin chat', async () => {
    const w = await adminWorld();
    const { app, secret, dm } = await register(w);
    expect(app).toMatchObject({ grantedScopes: ['ReadCallLog'], pendingScopes: ['ReadCallRecording', 'A2PSMS'] });
    const text = unescaped(cardText(latestAdminCard(w).body));
    expect(text).toContain('Requester: Alice Archer');
    expect(text).toContain('App: Expense Sync (REST API app)');
    expect(text).toContain('Access: Private (this account only)');
    expect(text).toContain('Already granted: ReadCallLog');
    // Each scope's description is its own checkbox's title.
    const choices = (latestAdminCard(w).body.body as { id?: string; choices?: { title: string; value: string }[] }[]).find((e) => e.id === 'approvedScopes')!.choices!;
    expect(choices.find((c) => c.value === 'ReadCallRecording')!.title).toMatch(/^ReadCallRecording: Download call recordings/);
    expect(choices.find((c) => c.value === 'A2PSMS')!.title).toMatch(/^A2PSMS: \S/);
    expect(text).toContain(JUSTIFICATION);
    expect(text).toMatch(/Asked: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(cardText(w.botCards(dm.id).at(-1)!.body)).toMatch(/ReadCallRecording/); // listed as awaiting approval
    expect(await scopesOf(w, app.clientId, secret)).toEqual(expect.objectContaining({ scopes: ['ReadCallLog'], pendingScopes: ['ReadCallRecording', 'A2PSMS'] }));
  });

  it('refuses wrong credentials at the registry without saying whether the client ID exists', async () => {
    const w = await adminWorld();
    const { app, secret } = await register(w);
    const wrong = `${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`;
    expect((await request(w.bot.url).get(`/registry/clients/${app.clientId}`).auth(app.clientId, wrong)).status).toBe(401);
    expect((await request(w.bot.url).get(`/registry/clients/nope`).auth('nope', secret)).status).toBe(401);
    expect((await request(w.bot.url).get(`/registry/clients/${app.clientId}`)).status).toBe(401);
  });
});

describe('deciding', () => {
  it('approves all: the card shows the outcome, the requester is told, and the scopes work', async () => {
    const w = await adminWorld();
    const { app, secret, dm } = await register(w);
    const result = await click(w, w.dave, 'Approve all');
    expect(result.status).toBe(200);
    const card = cardText(latestAdminCard(w).body);
    expect(card).toContain('Approved: every scope granted');
    expect(card).toMatch(/Decided: .* UTC by Dave Admin/);
    expect(card.match(/ by /g)).toHaveLength(1); // who decided is said once
    expect(submitActions(latestAdminCard(w).body)).toEqual([]);
    expect(requesterNews(w, dm.id)).toMatch(/Approved: your scope request for Expense Sync/);
    expect(requesterNews(w, dm.id)).toContain('ReadCallRecording: Approved');
    expect((await scopesOf(w, app.clientId, secret)).scopes.sort()).toEqual(['A2PSMS', 'ReadCallLog', 'ReadCallRecording']);
  });

  it('approves some: only the chosen scopes are granted and the rest are rejected', async () => {
    const w = await adminWorld();
    const { app, secret, dm } = await register(w);
    await click(w, w.dave, 'Approve checked, reject the rest', { approvedScopes: 'ReadCallRecording', reason: 'SMS volume not justified.' });
    expect(cardText(latestAdminCard(w).body)).toContain('Partly approved: some scopes rejected');
    expect(latestAdminCard(w).body.body).toEqual(expect.arrayContaining([expect.objectContaining({ style: 'warning' })]));
    expect(requesterNews(w, dm.id)).toContain('Next step:');
    expect(cardText(latestAdminCard(w).body)).toContain('A2PSMS: Rejected');
    expect(requesterNews(w, dm.id)).toContain('Reason: SMS volume not justified.');
    expect(await scopesOf(w, app.clientId, secret)).toEqual(expect.objectContaining({ scopes: ['ReadCallLog', 'ReadCallRecording'], pendingScopes: [] }));
  });

  it('rejects with a reason, which the requester sees', async () => {
    const w = await adminWorld();
    const { app, secret, dm } = await register(w);
    await click(w, w.erin, 'Reject', { reason: 'Use the reporting API instead.' });
    expect(cardText(latestAdminCard(w).body)).toContain('Rejected: no scope granted');
    expect(cardText(latestAdminCard(w).body)).toMatch(/Decided: .* UTC by Erin Admin/);
    expect(latestAdminCard(w).body.body).toEqual(expect.arrayContaining([expect.objectContaining({ style: 'attention' })]));
    expect(requesterNews(w, dm.id)).toMatch(/Next step: .*talk to an admin of this account/);
    expect(unescaped(cardText(latestAdminCard(w).body))).toContain('Reason: Use the reporting API instead.');
    expect(requesterNews(w, dm.id)).toMatch(/Rejected/);
    expect(requesterNews(w, dm.id)).toContain('Use the reporting API instead.');
    expect(await scopesOf(w, app.clientId, secret)).toEqual(expect.objectContaining({ scopes: ['ReadCallLog'], pendingScopes: [] }));
  });

  it('refuses a rejection without a reason and leaves the request open', async () => {
    const w = await adminWorld();
    const { app, secret } = await register(w);
    const before = latestAdminCard(w).versions.length;
    const result = await click(w, w.dave, 'Reject', { reason: '   ' });
    expect(dialogTitle(result)).toBe('A reason is needed');
    expect(latestAdminCard(w).versions.length).toBe(before);
    expect((await scopesOf(w, app.clientId, secret)).pendingScopes).toEqual(['ReadCallRecording', 'A2PSMS']);
  });

  it('refuses a reason made only of invisible characters', async () => {
    const w = await adminWorld();
    const { app, secret } = await register(w);
    for (const [button, extra] of [['Reject', {}], ['Approve checked, reject the rest', { approvedScopes: 'ReadCallRecording' }]] as const) {
      const result = await click(w, w.dave, button, { ...extra, reason: '\u200b\u200b \u2060' });
      expect(dialogTitle(result), button).toBe('A reason is needed');
    }
    expect((await scopesOf(w, app.clientId, secret)).pendingScopes).toEqual(['ReadCallRecording', 'A2PSMS']);
  });

  it('tells the requester of an app left with no scope that it can call no API yet, and the history names the rejected scope once', async () => {
    const w = await adminWorld();
    const { dm } = await register(w, w.alice, 'ReadCallRecording', 'Recorder');
    await click(w, w.dave, 'Reject', { reason: 'No.' });
    expect(requesterNews(w, dm.id)).toMatch(/Next step: your app holds no scope now, so it can call no API yet\./);
    expect(requesterNews(w, dm.id)).not.toMatch(/works with its other scopes/);
    const [reply] = await w.say(w.dave, w.adminChatId, `![:Person](${w.botId}) audit recorder`);
    const line = unescaped(reply!.text!).split('\n').find((l) => l.includes('rejected by'))!;
    expect(line).toMatch(/rejected by Dave Admin: ReadCallRecording \(reason: No\.\)$/);
  });

  it('refuses a partial approval without a reason, since the unchecked scopes are rejected', async () => {
    const w = await adminWorld();
    const { app, secret } = await register(w);
    const before = latestAdminCard(w).versions.length;
    const result = await click(w, w.dave, 'Approve checked, reject the rest', { approvedScopes: 'ReadCallRecording', reason: '' });
    expect(dialogTitle(result)).toBe('A reason is needed');
    expect(latestAdminCard(w).versions.length).toBe(before);
    expect((await scopesOf(w, app.clientId, secret)).pendingScopes).toEqual(['ReadCallRecording', 'A2PSMS']);
  });

  it('ignores scopes in the submit that the request did not ask for', async () => {
    const w = await adminWorld();
    const { app, secret } = await register(w);
    await click(w, w.dave, 'Approve checked, reject the rest', { approvedScopes: 'A2PSMS,Accounts,RoleManagement', reason: 'Recordings are not needed.' });
    expect((await scopesOf(w, app.clientId, secret)).scopes.sort()).toEqual(['A2PSMS', 'ReadCallLog']);
  });

  it('ends in exactly one outcome when approve and reject arrive together, and tells the later clicker', async () => {
    const w = await adminWorld();
    const { app, secret } = await register(w);
    const approveData = actionData(w, 'Approve all');
    const [a, b] = await Promise.all([click(w, w.dave, 'Approve all'), click(w, w.erin, 'Reject', { reason: 'Not needed.' })]);
    const titles = [dialogTitle(a), dialogTitle(b)];
    expect(titles.filter((t) => t === 'Already decided')).toHaveLength(1);
    expect(titles.filter((t) => t === undefined)).toHaveLength(1);
    const card = cardText(latestAdminCard(w).body);
    const approved = /Approved: every scope granted[^]*by Dave Admin/.test(card);
    expect(approved || /Rejected: no scope granted[^]*by Erin Admin/.test(card)).toBe(true);
    expect((await scopesOf(w, app.clientId, secret)).scopes.includes('A2PSMS')).toBe(approved);
    // The decided card has no buttons left; an old button delivered late is answered, not acted on.
    const late = await clickAs(w, latestAdminCard(w).id, w.dave, { ...approveData, action: 'reject', reason: 'Late.' });
    expect(dialogTitle(late)).toBe('Already decided');
    expect(cardText(latestAdminCard(w).body)).toBe(card);
  });
});

describe('who may decide', () => {
  it('with ADMIN_IDS set, refuses a member of the admin chat who is not listed', async () => {
    const w = await adminWorld({ adminChat: ['dave', 'bob'], adminIds: ['dave'] });
    const { app, secret } = await register(w);
    const result = await click(w, w.bob, 'Approve all');
    expect(dialogTitle(result)).toBe('You cannot decide this request');
    expect((await scopesOf(w, app.clientId, secret)).pendingScopes).toEqual(['ReadCallRecording', 'A2PSMS']);
    await click(w, w.dave, 'Approve all');
    expect((await scopesOf(w, app.clientId, secret)).pendingScopes).toEqual([]);
  });

  it('refuses someone who is not in ADMIN_IDS', async () => {
    const w = await adminWorld();
    const { app, secret } = await register(w);
    const result = await clickAs(w, latestAdminCard(w).id, w.carol, actionData(w, 'Approve all'));
    expect(result.status).toBe(200);
    expect(dialogTitle(result)).toBe('You cannot decide this request');
    expect((await scopesOf(w, app.clientId, secret)).pendingScopes).toEqual(['ReadCallRecording', 'A2PSMS']);
  });

  it('lets an admin in ADMIN_IDS decide without asking RingCentral who is in the admin chat', async () => {
    const w = await adminWorld({ adminChat: ['dave'], adminIds: ['erin'] });
    const { app, secret } = await register(w);
    const chatLookups = () => w.emulator.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/chats/${w.adminChatId}`)).length;
    const before = chatLookups();
    // Erin is not in the admin chat: a RingCentral client would not show her the card, so the click is forged.
    const result = await clickAs(w, latestAdminCard(w).id, w.erin, actionData(w, 'Approve all'));
    expect(dialogTitle(result)).toBeUndefined();
    expect((await scopesOf(w, app.clientId, secret)).pendingScopes).toEqual([]);
    expect(chatLookups()).toBe(before);
  });

  it('refuses the requester even when the requester is an admin', async () => {
    const w = await adminWorld({ adminChat: ['alice', 'dave'], adminIds: ['alice', 'dave'] });
    const { app, secret } = await register(w);
    const result = await click(w, w.alice, 'Approve all');
    expect(dialogTitle(result)).toBe('You cannot decide this request');
    expect((await scopesOf(w, app.clientId, secret)).pendingScopes).toHaveLength(2);
  });

  it('ignores a forged approver in the card data', async () => {
    const w = await adminWorld();
    const { app, secret } = await register(w);
    const forged = { ...actionData(w, 'Approve all'), approverId: w.dave.id, decidedBy: w.dave.id, userId: w.dave.id, personId: w.dave.id, user: { id: w.dave.id } };
    const result = await clickAs(w, latestAdminCard(w).id, w.carol, forged);
    expect(dialogTitle(result)).toBe('You cannot decide this request');
    expect((await scopesOf(w, app.clientId, secret)).pendingScopes).toHaveLength(2);
  });

  it('records refusals in the audit log', async () => {
    const w = await adminWorld();
    await register(w);
    await clickAs(w, latestAdminCard(w).id, w.carol, actionData(w, 'Approve all'));
    await click(w, w.dave, 'Approve all');
    const [reply] = await w.say(w.dave, w.adminChatId, `![:Person](${w.botId}) audit expense sync`);
    const lines = reply!.text!.split('\n');
    expect(lines[0]).toMatch(/Approval history of \*\*Expense Sync\*\*/);
    expect(lines[1]).toMatch(/requested by Alice Archer: ReadCallRecording, A2PSMS/);
    expect(lines[2]).toMatch(/refused a click by Carol Cole/);
    expect(lines[3]).toMatch(/approved by Dave Admin: ReadCallRecording, A2PSMS/);
  });
});

describe('audit answers', () => {
  it('asks for more of the name when one character is given, and says pages start at 1', async () => {
    const w = await adminWorld();
    await register(w);
    const [short] = await w.say(w.dave, w.adminChatId, `![:Person](${w.botId}) audit e`);
    expect(unescaped(short!.text!)).toMatch(/give at least 2 characters, or its client ID/);
    const [zero] = await w.say(w.dave, w.adminChatId, `![:Person](${w.botId}) audit Expense Sync page 0`);
    expect(unescaped(zero!.text!)).toMatch(/Pages start at 1: say \*\*audit Expense Sync\*\*/);
  });
});

describe('waiting requests', () => {
  it('lists open requests oldest first with pending, only in the admin chat', async () => {
    const w = await adminWorld();
    await register(w, w.alice, 'ReadCallRecording');
    w.clock.advance(60_000);
    await register(w, w.bob, 'A2PSMS');
    const [reply] = await w.say(w.dave, w.adminChatId, `![:Person](${w.botId}) pending`);
    const lines = reply!.text!.split('\n');
    expect(lines[0]).toBe('2 approval requests waiting, oldest first:');
    expect(lines[1]).toMatch(/Expense Sync\*\* by Alice Archer: ReadCallRecording/);
    expect(lines[2]).toMatch(/Expense Sync\*\* by Bob Baker: A2PSMS/);
    const dm = await w.dm(w.alice);
    const [elsewhere] = await w.say(w.alice, dm.id, 'pending');
    expect(elsewhere?.text).toMatch(/admins' channel only/);
  });

  it('raises a request again after APPROVAL_REMIND_HOURS and expires it after APPROVAL_EXPIRE_DAYS; the requester can ask again', async () => {
    const w = await adminWorld({ env: { APPROVAL_REMIND_HOURS: '24', APPROVAL_EXPIRE_DAYS: '3' } });
    const { dm, app, secret } = await register(w, w.alice, 'ReadCallLog,ReadCallRecording');
    const first = latestAdminCard(w);
    w.clock.advance(23 * 3600_000);
    await w.bot.sweep();
    expect(adminCards(w)).toHaveLength(1);
    w.clock.advance(2 * 3600_000);
    await w.bot.sweep();
    expect(adminCards(w)).toHaveLength(2);
    expect(cardText(latestAdminCard(w).body)).toMatch(/Reminder: this request has been waiting for 25 hours/);
    expect(cardText(w.emulator.card(first.id)!.body)).toMatch(/raised again below/);
    w.clock.advance(2 * 86_400_000);
    await w.bot.sweep();
    expect(cardText(latestAdminCard(w).body)).toMatch(/Request expired/);
    expect(requesterNews(w, dm.id)).toMatch(/expired/);
    expect(await scopesOf(w, app.clientId, secret)).toEqual(expect.objectContaining({ scopes: ['ReadCallLog'], pendingScopes: [] }));
    const news = w.botCards(dm.id).at(-1)!;
    const askAgain = submitActions(news.body).find((a) => a.data.action === 'request-again')!;
    const result = await w.emulator.submit({ cardId: news.id, personId: w.alice.id, data: askAgain.data });
    expect(dialogTitle(result)).toBe('Asked again');
    await w.emulator.waitFor(() => cardText(latestAdminCard(w).body).includes('Scope approval requested'));
    expect((await scopesOf(w, app.clientId, secret)).pendingScopes).toEqual(['ReadCallRecording']);
    await click(w, w.dave, 'Approve all');
    expect((await scopesOf(w, app.clientId, secret)).scopes).toEqual(['ReadCallLog', 'ReadCallRecording']);
  });
});

describe('admin cards', () => {
  it('pass the official parser as version 1.3 with no warnings in every state', async () => {
    const w = await adminWorld({ env: { APPROVAL_REMIND_HOURS: '1', APPROVAL_EXPIRE_DAYS: '1' } });
    await register(w, w.alice, 'ReadCallRecording');
    await click(w, w.dave, 'Approve checked, reject the rest', { approvedScopes: 'ReadCallRecording' });
    await register(w, w.bob, 'A2PSMS,ReadCallRecording');
    await click(w, w.dave, 'Approve checked, reject the rest', { approvedScopes: 'A2PSMS', reason: 'Recordings stay closed.' });
    await register(w, w.carol, 'RoleManagement');
    await click(w, w.dave, 'Reject', { reason: 'No.' });
    await register(w, w.erin, 'Accounts');
    w.clock.advance(2 * 3600_000);
    await w.bot.sweep();
    w.clock.advance(86_400_000);
    await w.bot.sweep();
    const bodies = w.emulator.cards().flatMap((c) => c.versions.map((v) => v.body));
    expect(bodies.length).toBeGreaterThan(10);
    for (const body of bodies) expect(validateCard(body)).toEqual({ errors: [], warnings: [] });
  });
});
