import { afterEach, describe, expect, it } from 'vitest';
import type { AppRecord } from '../../../src/registry/app-records.js';
import { button, dialogTitle, press, pressAs, registerApp, sayForCard, sayForText, textOf } from '../../helpers/lifecycle.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Files apps for Alice straight in the store (registering twelve through the form would only be slow). */
async function seedApps(w: World, count: number) {
  const apps = w.bot.services.store.collection<AppRecord>('apps');
  const template = (await w.bot.registry.listByOwner(w.account.id, w.alice.id))[0]!;
  for (let i = 1; i <= count; i++) {
    const at = new Date(Date.parse(template.createdAt) + i * 1000).toISOString();
    await apps.put(`seeded${String(i).padStart(16, '0')}`, { ...template, clientId: `seeded${String(i).padStart(16, '0')}`, appName: `Seeded ${i}`, createdAt: at, updatedAt: at });
  }
}

describe('my apps', () => {
  it('says how to start when there are none', async () => {
    const w = (world = await startWorld());
    const dm = await w.dm(w.alice);
    const card = await sayForCard(w, w.alice, dm.id, 'my apps');
    expect(textOf(w, card)).toContain('You have no apps yet');
    expect(textOf(w, card)).toContain('Say **create app** to register your first one');
  });

  it('lists each app with type, status, scopes, creation and its live secrets', async () => {
    const w = (world = await startWorld());
    const { dm, clientId, secret } = await registerApp(w, w.alice, 'Expense Sync');
    const card = await sayForCard(w, w.alice, dm.id, 'list apps');
    const text = textOf(w, card);
    expect(text).toContain('Your apps (1)');
    expect(text).toContain('Expense Sync');
    expect(text).toContain('REST API app · Active');
    expect(text).toContain(`Client ID: ${clientId}`);
    expect(text).toContain('Granted scopes: ReadMessages');
    expect(text).toContain('Awaiting approval: None');
    expect(text).toMatch(/Created: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(text).toMatch(new RegExp(`Client secret: …${secret.slice(-4)}, issued \\d{4}-\\d\\d-\\d\\d`));
    expect(text).not.toContain(secret);
    // A secret in its grace period says when it stops.
    const appCard = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    await press(w, appCard, w.alice, 'Rotate client secret');
    const after = textOf(w, await sayForCard(w, w.alice, dm.id, 'my apps'));
    expect(after).toMatch(new RegExp(`Client secret 1: …${secret.slice(-4)}, issued [^;]+; stops \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC`));
    expect(after).toContain('Client secret 2: …');
  });

  it('shows ten apps a page, with next and previous; out-of-range pages are answered plainly', async () => {
    const w = (world = await startWorld());
    const { dm } = await registerApp(w, w.alice, 'Expense Sync');
    await seedApps(w, 11);
    const card = await sayForCard(w, w.alice, dm.id, 'my apps');
    expect(textOf(w, card)).toContain('Your apps (12), page 1 of 2');
    expect(textOf(w, card)).toContain('Seeded 9');
    expect(textOf(w, card)).not.toContain('Seeded 10');
    expect(() => button(w, card, 'Previous page')).toThrow();
    await press(w, card, w.alice, 'Next page');
    expect(textOf(w, card)).toContain('page 2 of 2');
    expect(textOf(w, card)).toContain('Seeded 11');
    expect(() => button(w, card, 'Next page')).toThrow();
    await press(w, card, w.alice, 'Previous page');
    expect(textOf(w, card)).toContain('page 1 of 2');
    // A page that is not there (typed, or a forged click).
    expect(await sayForText(w, w.alice, dm.id, 'my apps 7')).toBe('There is no page 7: your 12 apps fit on 2 pages. Say **my apps** for the first.');
    expect(await sayForText(w, w.alice, dm.id, 'my apps seven')).toContain('Say **my apps** for the first page');
    await press(w, card, w.alice, 'Next page', { page: '99' });
    expect(textOf(w, card)).toContain('There is no page 99 any more: here is page 2.');
    // Someone else's click on the list changes nothing.
    const foreign = await pressAs(w, card, w.bob, 'Previous page');
    expect(dialogTitle(foreign)).toBe('This list is not yours');
  });

  it('answers in a direct message when asked in a team', async () => {
    const w = (world = await startWorld());
    await registerApp(w, w.alice, 'Expense Sync');
    const team = await w.emulator.createChat({ accountId: w.account.id, type: 'Team', name: 'Dev', members: [w.alice.id, w.bob.id, w.botId] });
    const dm = await w.dm(w.alice);
    const before = w.botCards(dm.id).length;
    await w.emulator.post({ chatId: team.id, personId: w.alice.id, text: `![:Person](${w.botId}) my apps` });
    await w.emulator.waitFor(() => w.botCards(dm.id).length > before, { message: 'no list in the direct chat' });
    expect(textOf(w, w.botCards(dm.id).at(-1)!.id)).toContain('Expense Sync');
    expect(w.botTexts(team.id).join('\n')).toContain("I'll answer in a direct message with you");
    expect(w.botCards(team.id)).toEqual([]);
  });

  it('opens an app from the list; only for its owner', async () => {
    const w = (world = await startWorld());
    const { dm, clientId } = await registerApp(w, w.alice, 'Expense Sync');
    const list = await sayForCard(w, w.alice, dm.id, 'my apps');
    const foreign = await pressAs(w, list, w.bob, 'Open Expense Sync');
    expect(dialogTitle(foreign)).toBe('This app is not yours');
    const before = w.botCards(dm.id).length;
    await press(w, list, w.alice, 'Open Expense Sync');
    expect(w.botCards(dm.id).length).toBe(before + 1);
    expect(textOf(w, w.botCards(dm.id).at(-1)!.id)).toContain(`client ID ${clientId}`);
  });
});
