import { afterEach, describe, expect, it } from 'vitest';
import { adminCards, click, dialogTitle, latestAdminCard, register, registerOnly, scopesOf } from '../../helpers/approvals.js';
import { submitActions } from '../../helpers/flow.js';
import { cardText, startWorld, type World, type WorldOptions } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function adminWorld(options: WorldOptions = {}) {
  world = await startWorld({ adminChat: ['dave', 'erin'], ...options });
  return world;
}

const mention = (w: World, text: string) => `![:Person](${w.botId}) ${text}`;

describe('decision racing the reminder', () => {
  it('leaves no clickable request card and keeps the outcome visible when an admin decides while the reminder is being raised', async () => {
    const w = await adminWorld({ env: { APPROVAL_REMIND_HOURS: '1' } });
    await register(w);
    const first = latestAdminCard(w);
    w.clock.advance(2 * 3600_000);
    // The reminder's first RingCentral call (looking up the requester's name) is slow; the admin clicks meanwhile.
    w.emulator.failNext(1, { delayMs: 1000 }, { method: 'GET', pathPrefix: '/team-messaging/v1/persons' });
    const sweeping = w.bot.sweep();
    await new Promise((r) => setTimeout(r, 200));
    const result = await click(w, w.dave, 'Approve all', {}, first.id);
    expect(dialogTitle(result)).toBeUndefined(); // the decision was taken
    await sweeping;
    // Exactly one outcome, and no card in the admin chat still offers Approve/Reject for a decided request.
    for (const c of adminCards(w)) expect(submitActions(w.emulator.card(c.id)!.body), cardText(w.emulator.card(c.id)!.body)).toEqual([]);
    expect(adminCards(w).some((c) => cardText(w.emulator.card(c.id)!.body).includes('Approved: every scope granted'))).toBe(true);
  });
});

describe('decision side effects', () => {
  it('still tells the requester the outcome when the admin card cannot be updated', async () => {
    const w = await adminWorld();
    const { dm, app, secret } = await register(w);
    const dmCardsBefore = w.botCards(dm.id).length;
    w.emulator.failNext(5, { status: 500 }, { method: 'PUT', pathPrefix: '/team-messaging/v1/adaptive-cards' });
    await click(w, w.dave, 'Approve all');
    expect((await scopesOf(w, app.clientId, secret)).pendingScopes).toEqual([]); // the decision stands
    // A retry is answered "Already decided", so this is the requester's only chance to hear of it.
    expect(dialogTitle(await click(w, w.dave, 'Approve all'))).toBe('Already decided');
    await w.emulator.waitFor(() => w.botCards(dm.id).length > dmCardsBefore, { message: 'the requester was never told the outcome', timeoutMs: 3000 });
    expect(cardText(w.botCards(dm.id).at(-1)!.body)).toMatch(/Approved: your scope request for Expense Sync/);
  });
});

describe('ask again', () => {
  it('files one request when the requester clicks Ask again twice in quick succession', async () => {
    const w = await adminWorld({ env: { APPROVAL_EXPIRE_DAYS: '1' } });
    const { dm } = await register(w, w.alice, 'ReadCallLog,ReadCallRecording');
    w.clock.advance(86_400_000 + 1000);
    await w.bot.sweep();
    const news = w.botCards(dm.id).at(-1)!;
    const askAgain = submitActions(news.body).find((a) => a.data.action === 'request-again')!;
    const cardsBefore = adminCards(w).length;
    await Promise.all([
      w.emulator.submit({ cardId: news.id, personId: w.alice.id, data: askAgain.data }),
      w.emulator.submit({ cardId: news.id, personId: w.alice.id, data: askAgain.data }),
    ]);
    await w.emulator.settle();
    const [reply] = await w.say(w.dave, w.adminChatId, mention(w, 'pending'));
    expect(reply!.text).toMatch(/^1 approval request waiting/);
    expect(adminCards(w).length).toBe(cardsBefore + 1);
  });
});

describe('admin chat configured late', () => {
  it('gets a request filed while ADMIN_CHAT_ID was unset in front of the admins once ADMIN_CHAT_ID is set', async () => {
    const w = await startWorld({ env: { APPROVAL_REMIND_HOURS: '1' } });
    world = w;
    const { app, secret } = await registerOnly(w, w.alice, 'ReadCallLog,ReadCallRecording');
    expect((await scopesOf(w, app.clientId, secret)).pendingScopes).toEqual(['ReadCallRecording']);
    // The operator notices, creates the admins' channel, sets ADMIN_CHAT_ID (and ADMIN_IDS) and restarts.
    await w.stop();
    const chat = await w.emulator.createChat({ accountId: w.account.id, type: 'Team', name: 'Registrar admins', members: [w.dave.id, w.erin.id] });
    w.env.ADMIN_CHAT_ID = chat.id;
    w.env.ADMIN_IDS = `${w.dave.id},${w.erin.id}`;
    w.adminChatId = chat.id;
    await w.start();
    await w.emulator.addMembers(chat.id, [w.botId]);
    await w.emulator.settle();
    w.clock.advance(2 * 3600_000);
    await w.bot.sweep();
    // The request is still open (pending lists it); the admins must be able to decide it.
    const cards = adminCards(w).filter((c) => submitActions(w.emulator.card(c.id)!.body).some((a) => a.data.action === 'approve'));
    expect(cards.length).toBe(1);
  });
});

describe('audit', () => {
  it('records which scopes a partial approval rejected', async () => {
    const w = await adminWorld();
    await register(w);
    await click(w, w.dave, 'Approve checked, reject the rest', { approvedScopes: 'ReadCallRecording', reason: 'SMS is not for this app.' });
    const [reply] = await w.say(w.dave, w.adminChatId, mention(w, 'audit expense sync'));
    const decision = reply!.text!.split('\n').find((l) => /partly approved/i.test(l))!;
    expect(decision).toContain('ReadCallRecording');
    expect(decision).toContain('A2PSMS'); // what was rejected is part of "what" was decided
  });

  it('does not silently show one app when two requesters have apps of the same name', async () => {
    const w = await adminWorld();
    const a = await register(w, w.alice, 'ReadCallRecording');
    const b = await register(w, w.bob, 'A2PSMS');
    await click(w, w.dave, 'Reject', { reason: 'Not for SMS.' });
    const [reply] = await w.say(w.dave, w.adminChatId, mention(w, 'audit Expense Sync'));
    // Either both histories or a question naming both client IDs; never just the first match.
    expect(reply!.text).toContain(a.app.clientId);
    expect(reply!.text).toContain(b.app.clientId);
  });
});

describe('expiry deadline', () => {
  it('does not accept a decision on a request already past APPROVAL_EXPIRE_DAYS', async () => {
    const w = await adminWorld({ env: { APPROVAL_EXPIRE_DAYS: '1', APPROVAL_REMIND_HOURS: '100' } });
    const { app, secret } = await register(w);
    w.clock.advance(2 * 86_400_000); // the sweep has not run yet (e.g. just after a restart)
    const result = await click(w, w.dave, 'Approve all');
    expect(dialogTitle(result)).toBe('This request expired');
    expect((await scopesOf(w, app.clientId, secret)).scopes).toEqual(['ReadCallLog']);
  });
});

describe('several accounts', () => {
  it("does not list another account's requests in the admin chat's pending", async () => {
    const w = await adminWorld({ kind: 'public' });
    const acme = w.botId;
    const other = w.emulator.createAccount({ name: 'Globex' });
    const gina = w.emulator.addPerson({ accountId: other.id, firstName: 'Gina', lastName: 'Globex', email: 'gina@globex.example' });
    const installed = await w.emulator.installBot({ clientId: w.app.clientId, accountId: other.id, installerId: gina.id });
    await w.bot.installations.idle();
    expect(installed.status).toBe(200);
    w.botId = installed.botId;
    await registerOnly(w, gina, 'ReadCallLog,A2PSMS', 'Globex Secret Project');
    w.botId = acme;
    const [reply] = await w.say(w.dave, w.adminChatId, mention(w, 'pending'));
    expect(reply!.text).not.toContain('Globex Secret Project');
  });
});
