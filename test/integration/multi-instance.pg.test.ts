import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../src/approvals/approval-request.js';
import { cardInputs, cardText, submitActions } from '../../src/cards/inspect-card.js';
import type { Person } from '../../src/emulator/model.js';
import type { AppRecord } from '../../src/registry/app-records.js';
import { createPostgresStore } from '../../src/store/postgres-store.js';
import { JUSTIFICATION } from '../helpers/approvals.js';
import { goodBasics } from '../helpers/flow.js';
import { startMultiWorld, type MultiWorld } from '../helpers/multi-world.js';

let world: MultiWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function stored(w: MultiWorld) {
  const store = await createPostgresStore(w.env.DATABASE_URL, { poolSize: 2, lockPoolSize: 1 });
  try {
    return { apps: await store.collection<AppRecord>('apps').list(), requests: await store.collection<ApprovalRequest>('approvals').list() };
  } finally {
    await store.close();
  }
}

const formOf = (w: MultiWorld, chatId: string) => w.emulator.cards({ chatId, creatorId: w.botId }).filter((c) => submitActions(c.body).some((a) => typeof a.data.flowId === 'string')).at(-1)!;

async function click(w: MultiWorld, person: Person, cardId: string, action: string, values: Record<string, unknown> = {}) {
  const card = w.emulator.card(cardId)!;
  const button = submitActions(card.body).find((a) => a.data.action === action || a.title === action)!;
  const r = await w.emulator.submit({ cardId, personId: person.id, data: { ...cardInputs(card.body), ...button.data, ...values } });
  expect(r.status).toBe(200);
  return r;
}

describe('two bot instances on one PostgreSQL store behind a load balancer', () => {
  it('register with approval, alternating instances at every step, ends exactly as on one instance', { timeout: 90_000 }, async () => {
    const w = (world = await startMultiWorld());
    await w.start();
    await w.install();
    const dm = await w.emulator.directChat(w.alice.id, w.botId);
    await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'create app' });
    await w.emulator.waitFor(() => w.emulator.cards({ chatId: dm.id, creatorId: w.botId }).length > 0, { message: 'no form' });
    // One card all the way: the form, then the credentials in its place.
    const formId = formOf(w, dm.id).id;
    const form = () => formId;
    await click(w, w.alice, form(), 'next', { appType: 'rest-api' });
    await click(w, w.alice, form(), 'next', { ...goodBasics, primaryContact: w.alice.email });
    await click(w, w.alice, form(), 'next', { authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await click(w, w.alice, form(), 'next', { scopes: 'ReadMessages,ReadCallRecording', justification: JUSTIFICATION });
    await click(w, w.alice, form(), 'next', { access: 'private', partners: '' });
    await click(w, w.alice, form(), 'next', { interactiveMessages: 'false', outboundWebhookUrl: '' });
    expect(cardText(w.emulator.card(form())!.body)).toMatch(/Review/);
    await click(w, w.alice, form(), 'submit');
    expect(cardText(w.emulator.card(form())!.body)).toMatch(/rgr_cs_/);
    await w.emulator.waitFor(() => w.emulator.cards({ chatId: w.adminChatId, creatorId: w.botId }).length === 1, { message: 'no request card' });
    const adminCard = w.emulator.cards({ chatId: w.adminChatId, creatorId: w.botId })[0]!;
    await click(w, w.dave, adminCard.id, 'Approve all');
    await w.emulator.waitFor(() => w.emulator.cards({ chatId: dm.id, creatorId: w.botId }).some((c) => /your scope request/i.test(cardText(c.body))), { message: 'the requester was never told' });
    // Exactly one of everything, as on one instance.
    const { apps, requests } = await stored(w);
    expect(apps.map((a) => [a.status, a.grantedScopes.sort(), a.pendingScopes])).toEqual([['active', ['ReadCallRecording', 'ReadMessages'], []]]);
    // Everything settled but the credentials card: it shows its secrets, and takes the outcome when they hide.
    expect(requests.map((r) => [r.status, r.effects ?? []])).toEqual([['decided', ['credentials']]]);
    expect(w.emulator.cards({ chatId: dm.id, creatorId: w.botId }).filter((c) => /your scope request/i.test(cardText(c.body)))).toHaveLength(1);
    expect(submitActions(w.emulator.card(adminCard.id)!.body)).toEqual([]);
    // Both instances did part of the work.
    expect(w.proxy.sent.filter((n) => n > 3)).toHaveLength(2);
  });

  it('acts once on the same delivery and the same click sent to both instances', { timeout: 60_000 }, async () => {
    const w = (world = await startMultiWorld());
    await w.start();
    await w.install();
    const dm = await w.emulator.directChat(w.alice.id, w.botId);
    const sub = w.emulator.subscriptions({ botId: w.botId })[0]!;
    const delivery = JSON.stringify({ uuid: 'same-delivery', event: '/team-messaging/v1/posts', timestamp: new Date().toISOString(), subscriptionId: sub.id, ownerId: w.botId, body: { id: 'p1', groupId: dm.id, type: 'TextMessage', text: 'create app', creatorId: w.alice.id, mentions: null, eventType: 'PostAdded' } });
    const headers = { 'content-type': 'application/json', 'verification-token': w.env.RINGCENTRAL_VERIFICATION_TOKEN };
    await Promise.all([0, 1].map((i) => fetch(`${w.urlOf(i)}/bot/webhook`, { method: 'POST', headers, body: delivery })));
    await w.emulator.waitFor(() => w.emulator.cards({ chatId: dm.id, creatorId: w.botId }).length > 0, { message: 'no form' });
    await new Promise((r) => setTimeout(r, 500));
    expect(w.emulator.cards({ chatId: dm.id, creatorId: w.botId })).toHaveLength(1);

    const card = formOf(w, dm.id);
    const data = { ...cardInputs(card.body), ...submitActions(card.body).find((a) => a.data.action === 'next')!.data, appType: 'bot' };
    const signed = w.emulator.signedSubmitRequest({ cardId: card.id, personId: w.alice.id, data, uuid: 'same-click' });
    await Promise.all([0, 1].map((i) => fetch(`${w.urlOf(i)}/bot/interactive`, { method: 'POST', headers: signed.headers, body: signed.body })));
    await w.emulator.waitFor(() => /Step 2/.test(cardText(w.emulator.card(card.id)!.body)), { message: 'the click was not acted on' });
    await new Promise((r) => setTimeout(r, 500));
    // Once: the card was updated once (version 1 → 2), not twice.
    expect(w.emulator.card(card.id)!.versions.length).toBe(2);
  });

  it('leaves one outcome when an approve and a reject reach different instances at the same moment', { timeout: 90_000 }, async () => {
    const w = (world = await startMultiWorld());
    await w.start();
    await w.install();
    const dm = await w.emulator.directChat(w.alice.id, w.botId);
    await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'create app' });
    await w.emulator.waitFor(() => w.emulator.cards({ chatId: dm.id, creatorId: w.botId }).length > 0, { message: 'no form' });
    const form = () => formOf(w, dm.id).id;
    await click(w, w.alice, form(), 'next', { appType: 'rest-api' });
    await click(w, w.alice, form(), 'next', { ...goodBasics, primaryContact: w.alice.email });
    await click(w, w.alice, form(), 'next', { authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await click(w, w.alice, form(), 'next', { scopes: 'ReadCallRecording', justification: JUSTIFICATION });
    await click(w, w.alice, form(), 'next', { access: 'private', partners: '' });
    await click(w, w.alice, form(), 'next', { interactiveMessages: 'false', outboundWebhookUrl: '' });
    await click(w, w.alice, form(), 'submit');
    await w.emulator.waitFor(() => w.emulator.cards({ chatId: w.adminChatId, creatorId: w.botId }).length === 1, { message: 'no request card' });
    const adminCard = w.emulator.cards({ chatId: w.adminChatId, creatorId: w.botId })[0]!;
    const buttons = submitActions(adminCard.body);
    const approve = w.emulator.signedSubmitRequest({ cardId: adminCard.id, personId: w.dave.id, data: { ...cardInputs(adminCard.body), ...buttons.find((b) => b.title === 'Approve all')!.data } });
    const rejectData = { ...cardInputs(adminCard.body), ...buttons.find((b) => b.data.action === 'reject')!.data, reason: 'Not for this team.' };
    const reject = w.emulator.signedSubmitRequest({ cardId: adminCard.id, personId: w.erin.id, data: rejectData });
    const send = (i: number, r: { headers: Record<string, string>; body: string }) => fetch(`${w.urlOf(i)}/bot/interactive`, { method: 'POST', headers: r.headers, body: r.body });
    await Promise.all([send(0, approve), send(1, reject)]);
    await w.emulator.waitFor(() => w.emulator.cards({ chatId: dm.id, creatorId: w.botId }).some((c) => /your scope request/i.test(cardText(c.body))), { message: 'the requester was never told' });
    await new Promise((r) => setTimeout(r, 500));
    const { apps, requests } = await stored(w);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.status).toBe('decided');
    const granted = requests[0]!.decision!.approved.length > 0;
    expect(apps[0]!.grantedScopes.includes('ReadCallRecording')).toBe(granted);
    expect(w.emulator.cards({ chatId: dm.id, creatorId: w.botId }).filter((c) => /your scope request/i.test(cardText(c.body)))).toHaveLength(1);
  });
});
