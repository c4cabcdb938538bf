import { afterEach, describe, expect, it } from 'vitest';
import { cardInputs, submitActions } from '../../../src/cards/inspect-card.js';
import type { Person } from '../../../src/emulator/model.js';
import { crashInvariants, startCrashWorld, type CrashWorld } from '../../helpers/crash-world.js';
import { goodBasics } from '../../helpers/flow.js';
import { JUSTIFICATION } from '../../helpers/approvals.js';

let world: CrashWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** The person's form card in their direct chat with the bot, as the emulator shows it now. */
function formCard(w: CrashWorld, chatId: string) {
  const cards = w.emulator.cards({ chatId, creatorId: w.botId }).filter((c) => submitActions(c.body).some((a) => typeof a.data.flowId === 'string'));
  return cards.at(-1);
}

async function click(w: CrashWorld, person: Person, chatId: string, action: string, values: Record<string, unknown> = {}) {
  const card = formCard(w, chatId)!;
  const data = { ...cardInputs(card.body), ...submitActions(card.body).find((a) => a.data.action === action)!.data, ...values };
  return w.emulator.submit({ cardId: card.id, personId: person.id, data });
}

/** Walks a REST API app asking for a scope that needs approval up to the review. */
async function toReview(w: CrashWorld, person: Person, appName: string) {
  const dm = await w.emulator.directChat(person.id, w.botId);
  await w.emulator.post({ chatId: dm.id, personId: person.id, text: 'create app' });
  await w.emulator.waitFor(() => formCard(w, dm.id), { message: 'no form card' });
  await click(w, person, dm.id, 'next', { appType: 'rest-api' });
  await click(w, person, dm.id, 'next', { ...goodBasics, appName, primaryContact: person.email });
  await click(w, person, dm.id, 'next', { authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
  await click(w, person, dm.id, 'next', { scopes: 'ReadMessages,ReadCallRecording', justification: JUSTIFICATION });
  await click(w, person, dm.id, 'next', { access: 'private', partners: '' });
  await click(w, person, dm.id, 'next', { interactiveMessages: 'false', outboundWebhookUrl: '' });
  return dm.id;
}

// The credentials card is queued in the outbox (issue:queued) before the app becomes active, and
// sent after it: from issue:activated on, a restart sends the queued card.
const BEFORE_COMMIT = ['submit:stored', 'issue:created', 'issue:reveal-stored', 'issue:queued'];
const AFTER_COMMIT = ['issue:activated', 'issue:shown', 'issue:filed'];

describe('kill -9 inside a registration, at each step', () => {
  it.each(BEFORE_COMMIT)('at %s: nothing is registered, the form is back at the review, and submitting again works', { timeout: 60_000 }, async (point) => {
    const w = (world = await startCrashWorld());
    await w.start([point]);
    await w.install();
    const dm = await toReview(w, w.alice, 'Crash Sync');
    await click(w, w.alice, dm, 'submit').catch(() => undefined); // the bot dies while answering
    await w.child.kill(); // already dead: this waits for its exit
    expect(w.child.output()).toContain(`crashing at ${point}`);
    await w.start();
    expect(await crashInvariants(w)).toEqual([]);
    expect((await w.stored()).apps).toEqual([]);
    const card = formCard(w, dm)!;
    expect(JSON.stringify(card.body)).toMatch(/Registering the app did not finish/);
    await click(w, w.alice, dm, 'submit');
    expect((await w.stored()).apps.map((a) => a.status)).toEqual(['active']);
    expect(await crashInvariants(w)).toEqual([]);
  });

  it.each(AFTER_COMMIT)('at %s: the app is registered, its credentials shown, and its pending scope asked for', { timeout: 60_000 }, async (point) => {
    const w = (world = await startCrashWorld());
    await w.start([point]);
    await w.install();
    const dm = await toReview(w, w.alice, 'Crash Sync');
    await click(w, w.alice, dm, 'submit').catch(() => undefined);
    await w.child.kill();
    expect(w.child.output()).toContain(`crashing at ${point}`);
    await w.start();
    expect(await crashInvariants(w)).toEqual([]);
    const [app] = (await w.stored()).apps;
    expect(app?.status).toBe('active');
    expect((await w.stored()).requests.filter((r) => r.status === 'open').map((r) => r.scopes)).toEqual([['ReadCallRecording']]);
    await w.emulator.waitFor(() => w.emulator.cards({ chatId: w.adminChatId, creatorId: w.botId }).length === 1, { message: 'no request card for the admins' });
    // The credentials message was owed from the commit point on: it arrives, once, on the form card.
    const showingSecret = () => w.emulator.cards({ chatId: dm, creatorId: w.botId }).flatMap((c) => c.versions.filter((v) => /rgr_cs_/.test(JSON.stringify(v.body))));
    await w.emulator.waitFor(() => showingSecret().length > 0, { message: 'the credentials never arrived' });
    await new Promise((r) => setTimeout(r, 1500)); // time for a second copy, were one to come
    expect(showingSecret()).toHaveLength(1);
  });

  it('between storing a click and drawing its card: the card is brought up to date at start-up', { timeout: 60_000 }, async () => {
    const w = (world = await startCrashWorld());
    await w.start(['click:stored']);
    await w.install();
    const dm = await w.emulator.directChat(w.alice.id, w.botId);
    await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'create app' });
    await w.emulator.waitFor(() => formCard(w, dm.id), { message: 'no form card' });
    await click(w, w.alice, dm.id, 'next', { appType: 'bot' }).catch(() => undefined);
    await w.child.kill();
    expect(w.child.output()).toContain('crashing at click:stored');
    await w.start();
    expect(await crashInvariants(w)).toEqual([]);
    expect(JSON.stringify(formCard(w, dm.id)!.body)).toMatch(/Step 2/);
    const next = await click(w, w.alice, dm.id, 'next', { ...goodBasics, appName: 'After Crash' });
    expect(JSON.stringify(next.body ?? '')).not.toMatch(/moved on/);
    expect(JSON.stringify(formCard(w, dm.id)!.body)).toMatch(/Step 3/);
  });
});
