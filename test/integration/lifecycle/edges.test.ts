import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../src/approvals/approval-request.js';
import { submitActions } from '../../../src/cards/inspect-card.js';
import { click as adminClick, latestAdminCard, register } from '../../helpers/approvals.js';
import { dialogTitle, newestSecret, press, registerApp, sayForCard, textOf, verifies } from '../../helpers/lifecycle.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const HOUR = 3_600_000;

describe('lifecycle edges an outside review found', () => {
  it('a decision on a deleted app whose request was not closed yet closes it and grants nothing', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], faultyStore: true }));
    const { dm, app } = await register(w, w.alice, 'ReadMessages,ReadCallRecording');
    const adminCardId = latestAdminCard(w).id;
    const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    await press(w, card, w.alice, 'Delete app…');
    const confirm = w.botCards(dm.id).at(-1)!.id;
    // Closing the request fails once (a full disk would do the same): the deletion stands.
    const heal = w.faults.add((name, _id, v) => name === 'approvals' && (v as ApprovalRequest | undefined)?.status === 'withdrawn');
    await press(w, confirm, w.alice, 'Delete for good');
    heal();
    expect((await w.bot.registry.get(app.clientId))!.status).toBe('deleted');
    const result = await adminClick(w, w.dave, 'Approve all', {}, adminCardId);
    expect(dialogTitle(result)).toBe('This request was closed');
    expect((await w.bot.registry.get(app.clientId))!.grantedScopes).not.toContain('ReadCallRecording');
    const [request] = await w.bot.services.store.collection<ApprovalRequest>('approvals').find('client', app.clientId);
    expect(request!.status).toBe('withdrawn');
    await w.emulator.waitFor(() => /closed/i.test(cardText(w.emulator.card(adminCardId)!.body)), { message: 'admin card not closed' });
  });

  it('the app card says when a secret already in its grace stops, not a new full grace', async () => {
    const w = (world = await startWorld({ env: { ROTATION_GRACE_HOURS: '24' } }));
    const { dm, clientId, secret: first } = await registerApp(w, w.alice, 'Grace');
    const card = await sayForCard(w, w.alice, dm.id, 'app Grace');
    await press(w, card, w.alice, 'Rotate client secret');
    const second = newestSecret(w, dm.id).secret;
    await press(w, card, w.alice, `Revoke client secret …${second.slice(-4)}`);
    w.clock.advance(20 * HOUR);
    const fresh = await sayForCard(w, w.alice, dm.id, 'app Grace');
    expect(textOf(w, fresh)).not.toContain(`…${first.slice(-4)} keeps working for 24 hours`);
    expect(textOf(w, fresh)).toMatch(new RegExp(`…${first.slice(-4)} keeps working until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC as before, then stops`));
    await press(w, fresh, w.alice, 'Rotate client secret');
    w.clock.advance(5 * HOUR);
    expect(await verifies(w, clientId, first)).toBe(401);
  });

  it('after a hand-over, the decision on a scope request goes to the new owner', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm } = await register(w, w.alice, 'ReadMessages,ReadCallRecording');
    const adminCardId = latestAdminCard(w).id;
    const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    await press(w, card, w.alice, 'Offer the app', { newOwner: w.bob.id });
    const bobDm = await w.emulator.directChat(w.bob.id, w.botId);
    const offer = w.botCards(bobDm.id).at(-1)!.id;
    expect(textOf(w, offer)).toMatch(/Awaiting approval: ReadCallRecording \(the admins' decision will come to the owner\)/);
    await press(w, offer, w.bob, 'Accept');
    const bobBefore = w.botCards(bobDm.id).length;
    const aliceBefore = w.botCards(dm.id).length;
    await adminClick(w, w.dave, 'Approve all', {}, adminCardId);
    await w.emulator.waitFor(() => w.botCards(bobDm.id).length > bobBefore, { message: 'the new owner was not told' });
    expect(textOf(w, w.botCards(bobDm.id).at(-1)!.id)).toMatch(/Approved: your scope request for Expense Sync/);
    expect(w.botCards(dm.id).length).toBe(aliceBefore);
  });

  it('a suspended app can be neither offered nor deleted, and a forged click says why', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm, clientId } = await registerApp(w, w.alice, 'Held');
    const ownerCard = await sayForCard(w, w.alice, dm.id, 'app Held');
    const adminCard = await sayForCard(w, w.dave, w.adminChatId, `![:Person](${w.botId}) app ${clientId}`);
    await press(w, adminCard, w.dave, 'Suspend app', { reason: 'Under investigation.' });
    const fresh = await sayForCard(w, w.alice, dm.id, 'app Held');
    const titles = submitActions(w.emulator.card(fresh)!.body).map((a) => a.title);
    expect(titles.some((t) => /Offer|Delete/.test(t))).toBe(false);
    // The card drawn before the suspension still has the buttons: the click is checked against the app.
    const forged = { action: 'delete-app', clientId, botId: w.botId };
    const asked = await w.emulator.submit({ cardId: ownerCard, personId: w.alice.id, data: { ...forged, stamp: undefined } });
    expect(['This app is suspended', 'This card was out of date']).toContain(dialogTitle(asked));
    expect((await w.bot.registry.get(clientId))!.status).toBe('suspended');
  });

  it('refuses a suspension reason made only of invisible characters', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { clientId } = await registerApp(w, w.alice, 'Held');
    const adminCard = await sayForCard(w, w.dave, w.adminChatId, `![:Person](${w.botId}) app ${clientId}`);
    const result = await press(w, adminCard, w.dave, 'Suspend app', { reason: '\u200b\u2060 ' });
    expect(dialogTitle(result)).toBe('A reason is needed');
    expect((await w.bot.registry.get(clientId))!.status).toBe('active');
  });

  it('says plainly when no client secret works, instead of pointing at secrets below', async () => {
    const w = (world = await startWorld());
    const { dm, secret } = await registerApp(w, w.alice, 'Bare');
    const card = await sayForCard(w, w.alice, dm.id, 'app Bare');
    await press(w, card, w.alice, `Revoke client secret …${secret.slice(-4)}`);
    const fresh = await sayForCard(w, w.alice, dm.id, 'app Bare');
    expect(textOf(w, fresh)).toContain('Active, but no client secret works now: rotate to get a new one.');
    expect(textOf(w, fresh)).not.toContain('the secrets listed below work');
  });
});
