import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../src/approvals/approval-request.js';
import { click, register } from '../helpers/approvals.js';
import { cardText, startWorld, unescaped, type World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** The requester's credentials card: the form card the registration turned into, found by its client ID. */
function credentialsCard(w: World, dmId: string, clientId: string) {
  const card = w.botCards(dmId).find((c) => cardText(w.emulator.card(c.id)!.body).includes(clientId))!;
  return { id: card.id, text: () => unescaped(cardText(w.emulator.card(card.id)!.body)) };
}

/** Registers with scopes awaiting approval and lets the secrets' time pass, so the card is the hidden one. */
async function registeredAndHidden(w: World) {
  const out = await register(w);
  const card = credentialsCard(w, out.dm.id, out.app.clientId);
  expect(card.text()).toContain('Awaiting approval');
  w.clock.advance(61_000);
  await w.bot.sweep();
  expect(card.text()).not.toContain(out.secret);
  expect(card.text()).toContain('Awaiting approval');
  return { ...out, card };
}

describe('the credentials card when an admin decides', () => {
  it('keeps the id of the credentials card with the approval request', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], env: { SECRET_REVEAL_SECONDS: '60' } }));
    const { dm, app } = await register(w);
    const [r] = await w.bot.services.store.collection<ApprovalRequest>('approvals').list();
    expect(r!.credentialsCardId).toBe(credentialsCard(w, dm.id, app.clientId).id);
  });

  it('turns "Awaiting approval" into the approval, in place', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], env: { SECRET_REVEAL_SECONDS: '60' } }));
    const { card } = await registeredAndHidden(w);
    await click(w, w.dave, 'Approve all');
    const text = card.text();
    expect(text).not.toContain('Awaiting approval');
    expect(text).toContain('Approved by an admin');
    expect(text).toContain('Granted scopes\nReadCallLog, ReadCallRecording, A2PSMS');
    expect(text).toContain('The client secret was shown once and is now hidden');
  });

  it('shows a partial approval with the scopes not granted', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], env: { SECRET_REVEAL_SECONDS: '60' } }));
    const { card } = await registeredAndHidden(w);
    await click(w, w.dave, 'Approve checked, reject the rest', { approvedScopes: 'ReadCallRecording', reason: 'SMS is not for this app.' });
    const text = card.text();
    expect(text).not.toContain('Awaiting approval');
    expect(text).toContain('Partly approved by an admin');
    expect(text).toContain('Not granted: A2PSMS');
  });

  it('shows a rejection', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], env: { SECRET_REVEAL_SECONDS: '60' } }));
    const { card } = await registeredAndHidden(w);
    await click(w, w.erin, 'Reject', { reason: 'Use the reporting API instead.' });
    expect(card.text()).not.toContain('Awaiting approval');
    expect(card.text()).toContain('Rejected by an admin');
    expect(card.text()).toContain('Not granted: ReadCallRecording, A2PSMS');
  });

  it('leaves a card still showing the secrets alone, and shows the decision once they are hidden', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], env: { SECRET_REVEAL_SECONDS: '60' } }));
    const { dm, app, secret } = await register(w);
    const card = credentialsCard(w, dm.id, app.clientId);
    await click(w, w.dave, 'Approve all');
    expect(card.text()).toContain(secret); // the secrets cannot be drawn again, so they are not cut short
    const [owed] = await w.bot.services.store.collection<ApprovalRequest>('approvals').list();
    expect(owed!.effects).toEqual(['credentials']); // still owed, not forgotten
    w.clock.advance(61_000);
    await w.bot.sweep();
    expect(card.text()).not.toContain(secret);
    expect(card.text()).not.toContain('Awaiting approval');
    expect(card.text()).toContain('Approved by an admin');
    const [settled] = await w.bot.services.store.collection<ApprovalRequest>('approvals').list();
    expect(settled!.effects).toEqual([]);
  });

  it('finishes the update after a failed attempt, like the other effects of a decision', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], env: { SECRET_REVEAL_SECONDS: '60' } }));
    const { card } = await registeredAndHidden(w);
    w.emulator.failNext(3, { status: 503 }, { method: 'PUT', pathPrefix: `/team-messaging/v1/adaptive-cards/${card.id}` });
    await click(w, w.dave, 'Approve all');
    await w.bot.sweep();
    expect(card.text()).not.toContain('Awaiting approval');
    expect(card.text()).toContain('Approved by an admin');
  });
});
