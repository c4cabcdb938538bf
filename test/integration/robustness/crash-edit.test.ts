import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/approvals/audit-log.js';
import { cardInputs, cardText, submitActions } from '../../../src/cards/inspect-card.js';
import type { Person } from '../../../src/emulator/model.js';
import { readStoreFiles } from '../../../src/store/lowdb/read-store-files.js';
import { JUSTIFICATION } from '../../helpers/approvals.js';
import { crashInvariants, startCrashWorld, type CrashWorld } from '../../helpers/crash-world.js';
import { goodBasics } from '../../helpers/flow.js';

let world: CrashWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

function formCard(w: CrashWorld, chatId: string) {
  return w.emulator.cards({ chatId, creatorId: w.botId }).filter((c) => submitActions(c.body).some((a) => typeof a.data.flowId === 'string')).at(-1);
}

async function click(w: CrashWorld, person: Person, chatId: string, action: string, values: Record<string, unknown> = {}, section?: string) {
  const card = formCard(w, chatId)!;
  const found = submitActions(card.body).find((a) => a.data.action === action && (section === undefined || a.data.section === section))!;
  return w.emulator.submit({ cardId: card.id, personId: person.id, data: { ...cardInputs(card.body), ...found.data, ...values } });
}

/** Registers "Crash Sync" (ReadMessages), then opens its edit form with SMS and A2PSMS added, at the review. */
async function editToReview(w: CrashWorld, person: Person) {
  const dm = (await w.emulator.directChat(person.id, w.botId)).id;
  await w.emulator.post({ chatId: dm, personId: person.id, text: 'create app' });
  await w.emulator.waitFor(() => formCard(w, dm), { message: 'no form card' });
  await click(w, person, dm, 'next', { appType: 'rest-api' });
  await click(w, person, dm, 'next', { ...goodBasics, appName: 'Crash Sync', primaryContact: person.email });
  await click(w, person, dm, 'next', { authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
  await click(w, person, dm, 'next', { scopes: 'ReadMessages', justification: '' });
  await click(w, person, dm, 'next', { access: 'private', partners: '' });
  await click(w, person, dm, 'next', { interactiveMessages: 'false', outboundWebhookUrl: '' });
  await click(w, person, dm, 'submit');
  const cards = w.emulator.cards({ chatId: dm, creatorId: w.botId }).length;
  await w.emulator.post({ chatId: dm, personId: person.id, text: 'edit app Crash Sync' });
  await w.emulator.waitFor(() => w.emulator.cards({ chatId: dm, creatorId: w.botId }).length > cards, { message: 'no edit form' });
  await click(w, person, dm, 'edit', {}, 'scopes');
  await click(w, person, dm, 'next', { scopes: 'ReadMessages,SMS', approvalScopes: 'A2PSMS', justification: JUSTIFICATION });
  return dm;
}

const editedEntries = (w: CrashWorld) => Object.values((readStoreFiles(w.dataDir).audit ?? {}) as Record<string, AuditEntry>).filter((e) => e.event === 'edited');

describe('kill -9 while saving an edit', () => {
  it('before the app is updated: nothing changed, the form is back at its review, and saving again works', { timeout: 60_000 }, async () => {
    const w = (world = await startCrashWorld());
    await w.start(['edit:stored']);
    await w.install();
    const dm = await editToReview(w, w.alice);
    await click(w, w.alice, dm, 'submit').catch(() => undefined); // the bot dies while answering
    await w.child.kill();
    expect(w.child.output()).toContain('crashing at edit:stored');
    await w.start();
    expect(await crashInvariants(w)).toEqual([]);
    const [app] = (await w.stored()).apps;
    expect(app).toMatchObject({ grantedScopes: ['ReadMessages'], pendingScopes: [] });
    expect(app!.lastEdit).toBeUndefined();
    expect(cardText(formCard(w, dm)!.body)).toContain('Saving your changes did not finish, so nothing was changed.');
    await click(w, w.alice, dm, 'submit');
    expect((await w.stored()).apps[0]).toMatchObject({ grantedScopes: ['ReadMessages', 'SMS'], pendingScopes: ['A2PSMS'] });
    await w.emulator.waitFor(() => w.emulator.cards({ chatId: w.adminChatId, creatorId: w.botId }).length === 1, { message: 'no request card for the admins' });
    expect(editedEntries(w)).toHaveLength(1);
  });

  it.each(['edit:applied', 'edit:filed'])('at %s: the changes stand, the admins are asked once, the summary is shown and written once', { timeout: 60_000 }, async (point) => {
    const w = (world = await startCrashWorld());
    await w.start([point]);
    await w.install();
    const dm = await editToReview(w, w.alice);
    const formId = formCard(w, dm)!.id;
    await click(w, w.alice, dm, 'submit').catch(() => undefined);
    await w.child.kill();
    expect(w.child.output()).toContain(`crashing at ${point}`);
    await w.start();
    expect(await crashInvariants(w)).toEqual([]);
    const { apps, flows, requests } = await w.stored();
    expect(apps[0]).toMatchObject({ grantedScopes: ['ReadMessages', 'SMS'], pendingScopes: ['A2PSMS'] });
    expect(requests.filter((r) => r.status === 'open').map((r) => r.scopes)).toEqual([['A2PSMS']]);
    expect(flows.find((f) => f.editing)!.status).toBe('submitted');
    expect(cardText(w.emulator.card(formId)!.body)).toContain('Changes saved to Crash Sync');
    expect(editedEntries(w)).toHaveLength(1);
    await w.emulator.waitFor(() => w.emulator.cards({ chatId: w.adminChatId, creatorId: w.botId }).length === 1, { message: 'no request card for the admins' });
  });
});
