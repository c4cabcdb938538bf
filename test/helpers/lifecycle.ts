import request from 'supertest';
import type { Person } from '../../src/emulator/model.js';
import { cardInputs, submitActions } from '../../src/cards/inspect-card.js';
import { flowDriver, goodBasics } from './flow.js';
import { cardText, clickAs, unescaped, type World } from './world.js';

/** Steps of the lifecycle tests: register apps, ask for their cards, click their buttons as people do. */

export const dialogTitle = (result: { body: unknown }) => (result.body as { dialog?: { title?: string } } | null)?.dialog?.title;

/** Registers a REST API app (ReadMessages, no approval needed) for `person`; with `interactive`, it has a shared secret. */
export async function registerApp(w: World, person: Person, appName: string, opts: { interactive?: boolean } = {}) {
  const dm = await w.emulator.directChat(person.id, w.botId);
  const flow = flowDriver(w, person, dm.id);
  // Other cards with buttons (an app card) may be in the chat already: wait for a new form's card.
  const forms = () => w.botCards(dm.id).filter((c) => submitActions(c.body).some((a) => typeof a.data.flowId === 'string')).length;
  const before = forms();
  await w.emulator.post({ chatId: dm.id, personId: person.id, text: 'create app' });
  await w.emulator.waitFor(() => forms() > before, { message: 'no form card' });
  await flow.next({ appType: 'rest-api' });
  await flow.next({ ...goodBasics, appName, primaryContact: person.email });
  await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
  await flow.next({ scopes: 'ReadMessages', justification: '' });
  await flow.next({ access: 'private', partners: '' });
  if (opts.interactive) {
    await flow.next({ interactiveMessages: 'true', outboundWebhookUrl: '' });
    await flow.next({ interactiveMessages: 'true', outboundWebhookUrl: 'https://hooks.example.com/cards' });
  } else {
    await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
  }
  await flow.click('submit');
  const text = cardText(w.botCards(dm.id).at(-1)!.body);
  const secret = text.match(/rgr_cs_[0-9A-Za-z]{38}/)![0];
  const app = (await w.bot.registry.listByOwner(person.companyId, person.id)).find((a) => a.appName === appName)!;
  return { dm, app, secret, clientId: app.clientId };
}

/** The text a card shows now, markdown escapes resolved. */
export const textOf = (w: World, cardId: string) => unescaped(cardText(w.emulator.card(cardId)!.body));

/** Says `text` in `chatId` and returns the newest card the bot then posted in `where` (default the same chat). */
export async function sayForCard(w: World, person: Person, chatId: string, text: string, where = chatId) {
  const before = w.botCards(where).length;
  await w.emulator.post({ chatId, personId: person.id, text });
  await w.emulator.waitFor(() => w.botCards(where).length > before, { message: `no card after "${text}"` });
  return w.botCards(where).at(-1)!.id;
}

/** Says `text` and returns the bot's next text reply in `where`. */
export async function sayForText(w: World, person: Person, chatId: string, text: string, where = chatId) {
  const before = w.botTexts(where).length;
  await w.emulator.post({ chatId, personId: person.id, text });
  await w.emulator.waitFor(() => w.botTexts(where).length > before, { message: `no text after "${text}"` });
  return unescaped(w.botTexts(where).at(-1)!);
}

/** The button titled so on the card (a prefix is enough), or an error listing the buttons there are. */
export function button(w: World, cardId: string, title: string | RegExp) {
  const actions = submitActions(w.emulator.card(cardId)!.body);
  const found = actions.find((a) => (typeof title === 'string' ? a.title.startsWith(title) : title.test(a.title)));
  if (!found) throw new Error(`no button "${String(title)}" on the card; there are: ${actions.map((a) => a.title).join(' | ')}`);
  return found;
}

/** Clicks a button as `person` (a member of the card's chat), inputs as the card holds them plus `values`. */
export async function press(w: World, cardId: string, person: Person, title: string | RegExp, values: Record<string, unknown> = {}) {
  const data = { ...cardInputs(w.emulator.card(cardId)!.body), ...button(w, cardId, title).data, ...values };
  return w.emulator.submit({ cardId, personId: person.id, data });
}

/** The same click signed as someone who is not in the card's chat (a forged or foreign click). */
export async function pressAs(w: World, cardId: string, person: Person, title: string | RegExp, values: Record<string, unknown> = {}) {
  const data = { ...cardInputs(w.emulator.card(cardId)!.body), ...button(w, cardId, title).data, ...values };
  return clickAs(w, cardId, person, data);
}

/** What GET /registry/clients/:id answers with these credentials: 200 or 401. */
export async function verifies(w: World, clientId: string, secret: string) {
  const res = await request(w.bot.url).get(`/registry/clients/${clientId}`).auth(clientId, secret);
  return res.status;
}

/** The newest secret card (a rotation's) in the chat, and the secret it shows. */
export function newestSecret(w: World, chatId: string, kind: 'cs' | 'ss' = 'cs') {
  const cards = w.botCards(chatId);
  for (let i = cards.length - 1; i >= 0; i--) {
    const text = cardText(w.emulator.card(cards[i]!.id)!.body);
    const m = new RegExp(`rgr_${kind}_[0-9A-Za-z]{${kind === 'cs' ? 38 : 46}}`).exec(text);
    if (m) return { cardId: cards[i]!.id, secret: m[0] };
  }
  throw new Error('no card shows a secret');
}
