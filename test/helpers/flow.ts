import type { Person } from '../../src/emulator/model.js';
import { cardInputs as inputs, submitActions } from '../../src/cards/inspect-card.js';
import { cardText, startWorld, type World } from './world.js';

type SubmitData = Record<string, unknown>;

export { submitActions, cardInputs as inputs } from '../../src/cards/inspect-card.js';

/**
 * Drives a registration the way a person does: finds the button on the current card, fills the
 * inputs, and clicks it through the emulator (a signed button_submit to the bot).
 */
export function flowDriver(world: World, person: Person, chatId: string) {
  const cards = () => world.botCards(chatId).filter((c) => !c.deleted);
  let lastFlowCardId: string | undefined;
  const driver = {
    /** The newest card the bot posted in the chat (the flow card, or the credentials after submit). */
    card() {
      const all = cards();
      const last = all[all.length - 1];
      if (!last) throw new Error('the bot posted no card');
      return last;
    },
    /** The card the form lives in (it stays the same card once the form is closed). */
    flowCard() {
      const flow = cards().filter((c) => submitActions(c.body).some((a) => typeof a.data.flowId === 'string'));
      lastFlowCardId = flow[flow.length - 1]?.id ?? lastFlowCardId;
      if (!lastFlowCardId) throw new Error('no flow card');
      return world.emulator.card(lastFlowCardId)!;
    },
    text() {
      return cardText(driver.flowCard().body);
    },
    async start(text = 'create app') {
      await world.emulator.post({ chatId, personId: person.id, text });
      await world.emulator.waitFor(() => cards().length > 0 && cards().some((c) => submitActions(c.body).length > 0), { message: 'no flow card' });
    },
    action(name: string, section?: string): SubmitData {
      const found = submitActions(driver.flowCard().body).find((a) => a.data.action === name && (section === undefined || a.data.section === section));
      if (!found) throw new Error(`no ${name}${section ? ` ${section}` : ''} button on the card:\n${driver.text()}`);
      return found.data;
    },
    /** Clicks a button; inputs default to what the card shows, as a real client would send. */
    async click(name: string, values: Record<string, unknown> = {}, opts: { section?: string; as?: Person; data?: SubmitData } = {}) {
      const card = driver.flowCard();
      const data = { ...inputs(card.body), ...(opts.data ?? driver.action(name, opts.section)), ...values };
      return world.emulator.submit({ cardId: card.id, personId: (opts.as ?? person).id, data });
    },
    next: (values: Record<string, unknown> = {}) => driver.click('next', values),
  };
  return driver;
}

export type FlowDriver = ReturnType<typeof flowDriver>;

export const goodBasics = { appName: 'Expense Sync', displayName: 'Expense Sync', iconUrl: 'https://cdn.example.com/icon.png', primaryContact: 'alice@acme.example', promote: 'false' };

/** Answers every step of a REST API app with JWT auth (ReadMessages, private, no interactive messages), up to the review. */
export async function walkToReview(flow: FlowDriver) {
  await flow.next({ appType: 'rest-api' });
  await flow.next(goodBasics);
  await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
  await flow.next({ scopes: 'ReadMessages', justification: '' });
  await flow.next({ access: 'private', partners: '' });
  await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
  if (!flow.text().includes('Review')) throw new Error(`expected the review card, got:\n${flow.text()}`);
}

/** A world with the bot installed and Alice's registration form open in her direct chat. */
export async function startFlowWorld(env: Record<string, string> = {}) {
  const world = await startWorld({ env });
  const dm = await world.dm(world.alice);
  const flow = flowDriver(world, world.alice, dm.id);
  await flow.start();
  return { world, dm, flow };
}
