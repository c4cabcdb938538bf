import request from 'supertest';
import { expect } from 'vitest';
import type { Person } from '../../src/emulator/model.js';
import { flowDriver, goodBasics, submitActions } from './flow.js';
import { cardText, type World } from './world.js';

/** Shared steps of the approval tests: register an app that needs approval, read and click admin cards. */
export const dialogTitle = (result: { body: unknown }) => (result.body as { dialog?: { title?: string } } | null)?.dialog?.title;
export const JUSTIFICATION = 'We archive call recordings for compliance audits every quarter.';

/** Drives a registration in the requester's DM; does not wait for an admin card. */
export async function registerOnly(w: World, requester: Person, scopes: string, appName = goodBasics.appName) {
  const dm = await w.emulator.directChat(requester.id, w.botId);
  const flow = flowDriver(w, requester, dm.id);
  await flow.start();
  await flow.next({ appType: 'rest-api' });
  await flow.next({ ...goodBasics, appName, primaryContact: requester.email });
  await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
  await flow.next({ scopes, justification: JUSTIFICATION });
  await flow.next({ access: 'private', partners: '' });
  await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
  await flow.click('submit');
  const cards = w.botCards(dm.id);
  const secret = cardText(cards[cards.length - 1]!.body).match(/rgr_cs_[0-9A-Za-z]{38}/)![0];
  const apps = await w.bot.registry.listByOwner(requester.companyId, requester.id);
  const app = apps.find((a) => a.appName === appName)!;
  return { dm, app, secret };
}

/** Registers and waits for the request card in the admin chat. */
export async function register(w: World, requester: Person = w.alice, scopes = 'ReadCallLog,ReadCallRecording,A2PSMS', appName = goodBasics.appName) {
  const before = adminCards(w).length;
  const out = await registerOnly(w, requester, scopes, appName);
  await w.emulator.waitFor(() => adminCards(w).length > before, { message: 'no approval card in the admin chat' });
  return out;
}

/** The bot only posts approval cards in the admin chat (its greeting there is text). */
export const adminCards = (w: World) => w.botCards(w.adminChatId);
export const latestAdminCard = (w: World) => w.emulator.card(adminCards(w).at(-1)!.id)!;
export const actionData = (w: World, title: string, cardId = latestAdminCard(w).id) =>
  submitActions(w.emulator.card(cardId)!.body).find((a) => a.title === title)!.data;

/** Clicks a button of an admin card (the newest by default) as a member of the admin chat. */
export async function click(w: World, person: Person, title: string, extra: Record<string, unknown> = {}, cardId = latestAdminCard(w).id) {
  return w.emulator.submit({ cardId, personId: person.id, data: { ...actionData(w, title, cardId), ...extra } });
}

/** What the registry says a client ID holds, asked with its own credentials. */
export async function scopesOf(w: World, clientId: string, secret: string) {
  const res = await request(w.bot.url).get(`/registry/clients/${clientId}`).auth(clientId, secret);
  expect(res.status).toBe(200);
  return res.body as { scopes: string[]; pendingScopes: string[] };
}
