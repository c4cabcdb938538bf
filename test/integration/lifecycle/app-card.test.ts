import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../src/approvals/approval-request.js';
import { submitActions } from '../../../src/cards/inspect-card.js';
import { register as registerWithApproval, latestAdminCard } from '../../helpers/approvals.js';
import { dialogTitle, newestSecret, press, pressAs, registerApp, sayForCard, sayForText, textOf, verifies } from '../../helpers/lifecycle.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('app <name or client ID>', () => {
  it("shows the owner's app by name or client ID, with one revoke button per live secret and the owner's actions", async () => {
    const w = (world = await startWorld());
    const { dm, clientId, secret } = await registerApp(w, w.alice, 'Expense Sync');
    for (const query of ['Expense Sync', 'expense sync', clientId, 'Expen']) {
      const card = await sayForCard(w, w.alice, dm.id, `app ${query}`);
      expect(textOf(w, card)).toContain(`Expense Sync\nREST API app · client ID ${clientId}`);
    }
    const card = w.botCards(dm.id).at(-1)!.id;
    const titles = submitActions(w.emulator.card(card)!.body).map((a) => a.title);
    expect(titles).toEqual([`Revoke client secret …${secret.slice(-4)} now`, 'Rotate client secret', 'Offer the app', 'Edit app', 'Delete app…']);
    const edit = submitActions(w.emulator.card(card)!.body).find((a) => a.title === 'Edit app')!.data;
    expect(edit).toEqual({ action: 'edit-app', clientId, botId: w.botId });
  });

  it("does not show someone else's app, and says what to type without an argument", async () => {
    const w = (world = await startWorld());
    const { clientId } = await registerApp(w, w.alice, 'Expense Sync');
    const bobDm = await w.dm(w.bob);
    expect(await sayForText(w, w.bob, bobDm.id, 'app Expense Sync')).toBe('You have no app called "Expense Sync". Say **my apps** to see yours.');
    expect(await sayForText(w, w.bob, bobDm.id, `app ${clientId}`)).toContain('You have no app called');
    expect(await sayForText(w, w.bob, bobDm.id, 'app')).toBe('Which app? Say **app <name or client ID>**. **my apps** lists yours.');
  });

  it('lists apps whose names begin alike and asks for the client ID', async () => {
    const w = (world = await startWorld());
    const a = await registerApp(w, w.alice, 'Expense Sync');
    const b = await registerApp(w, w.alice, 'Expense Report');
    const text = await sayForText(w, w.alice, a.dm.id, 'app expense');
    expect(text).toContain('2 of your apps have names beginning with "expense". Say which one by its client ID:');
    expect(text).toContain(`• **Expense Sync**: app ${a.clientId}`);
    expect(text).toContain(`• **Expense Report**: app ${b.clientId}`);
  });

  it('in a team, answers in a direct message', async () => {
    const w = (world = await startWorld());
    const { dm } = await registerApp(w, w.alice, 'Expense Sync');
    const team = await w.emulator.createChat({ accountId: w.account.id, type: 'Team', name: 'Dev', members: [w.alice.id, w.bob.id, w.botId] });
    const before = w.botCards(dm.id).length;
    await w.emulator.post({ chatId: team.id, personId: w.alice.id, text: `![:Person](${w.botId}) app Expense Sync` });
    await w.emulator.waitFor(() => w.botCards(dm.id).length > before, { message: 'no card in the direct chat' });
    expect(w.botCards(team.id)).toEqual([]);
    // Not found, or several found: said in private too; the team only hears where the answer went.
    const texts = w.botTexts(dm.id).length;
    await w.emulator.post({ chatId: team.id, personId: w.alice.id, text: `![:Person](${w.botId}) app Nothing Like It` });
    await w.emulator.waitFor(() => w.botTexts(dm.id).length > texts, { message: 'no answer in the direct chat' });
    expect(w.botTexts(dm.id).at(-1)).toContain('You have no app called');
    expect(w.botTexts(team.id).join("\n")).not.toContain("You have no app called");
  });
});

describe('revoke-secret', () => {
  it('ends one secret at once; the other keeps working; a second click on the same button changes nothing', async () => {
    const w = (world = await startWorld());
    const { dm, clientId, secret: first } = await registerApp(w, w.alice, 'Expense Sync');
    const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    await press(w, card, w.alice, 'Rotate client secret');
    const second = newestSecret(w, dm.id).secret;
    const foreign = await pressAs(w, card, w.bob, `Revoke client secret …${first.slice(-4)}`);
    expect(dialogTitle(foreign)).toBe('This app is not yours');
    expect(await verifies(w, clientId, first)).toBe(200);
    const old = structuredClone(w.emulator.card(card)!.body);
    await press(w, card, w.alice, `Revoke client secret …${first.slice(-4)}`);
    expect(textOf(w, card)).toContain(`The client secret …${first.slice(-4)} was revoked`);
    expect(textOf(w, card)).not.toContain(`Revoke client secret …${first.slice(-4)}`);
    expect(await verifies(w, clientId, first)).toBe(401);
    expect(await verifies(w, clientId, second)).toBe(200);
    // The same button on the card as it was before (a second client, a double click).
    const revokeData = submitActions(old).find((a) => a.title.startsWith(`Revoke client secret …${first.slice(-4)}`))!.data;
    const again = await w.emulator.submit({ cardId: card, personId: w.alice.id, data: revokeData });
    expect(dialogTitle(again)).toBe('That secret no longer works');
    // Revoking the last one leaves no secret that works until the next rotation.
    await press(w, card, w.alice, `Revoke client secret …${second.slice(-4)}`);
    expect(await verifies(w, clientId, second)).toBe(401);
    expect(textOf(w, card)).toContain('No secret works now.');
  });
});

describe('delete-app', () => {
  it('asks first; then the secrets stop, open requests close (their admin cards say so), the name is free and the history stays', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm, app, secret } = await registerWithApproval(w, w.alice);
    const adminCard = latestAdminCard(w).id;
    const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    expect(dialogTitle(await pressAs(w, card, w.bob, 'Delete app…'))).toBe('This app is not yours');
    await press(w, card, w.alice, 'Delete app…');
    const confirm = w.botCards(dm.id).at(-1)!.id;
    expect(textOf(w, confirm)).toContain('Delete Expense Sync?');
    expect(textOf(w, confirm)).toContain('stop working at once');
    expect(await verifies(w, app.clientId, secret)).toBe(200); // asking changes nothing
    expect(dialogTitle(await pressAs(w, confirm, w.bob, 'Delete for good'))).toBe('This app is not yours');
    await press(w, confirm, w.alice, 'Delete for good');
    expect(textOf(w, confirm)).toContain('Deleted: Expense Sync');
    expect(await verifies(w, app.clientId, secret)).toBe(401);
    expect(textOf(w, adminCard)).toContain('Request closed: the app was deleted');
    const [request] = await w.bot.services.store.collection<ApprovalRequest>('approvals').list();
    expect(request!.status).toBe('withdrawn');
    // A click on a card of the deleted app changes nothing.
    expect(dialogTitle(await press(w, card, w.alice, 'Rotate client secret'))).toBe('This app was deleted');
    expect(dialogTitle(await press(w, card, w.alice, 'Delete app…'))).toBe('This app was deleted');
    // The name is free again, and the record stays for the audit log.
    expect(await sayForText(w, w.alice, dm.id, 'app Expense Sync')).toContain('You have no app called');
    expect((await w.bot.registry.get(app.clientId))!.status).toBe('deleted');
    const history = await sayForText(w, w.dave, w.adminChatId, `![:Person](${w.botId}) audit ${app.clientId}`);
    expect(history).toMatch(/deleted by Alice Archer/);
    const again = await registerApp(w, w.alice, 'Expense Sync');
    expect(again.clientId).not.toBe(app.clientId);
  });

  it('refuses a confirmation from a card of an older state', async () => {
    const w = (world = await startWorld());
    const { dm, clientId, secret } = await registerApp(w, w.alice, 'Expense Sync');
    const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    await press(w, card, w.alice, 'Delete app…');
    const confirm = w.botCards(dm.id).at(-1)!.id;
    await press(w, card, w.alice, 'Rotate client secret');
    expect(dialogTitle(await press(w, confirm, w.alice, 'Delete for good'))).toBe('This card is out of date');
    expect(await verifies(w, clientId, secret)).toBe(200);
  });
});
