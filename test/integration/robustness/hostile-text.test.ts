import MarkdownIt from 'markdown-it';
import { afterEach, describe, expect, it } from 'vitest';
import { adminCards, click, latestAdminCard, register } from '../../helpers/approvals.js';
import { goodBasics, startFlowWorld } from '../../helpers/flow.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const md = new MarkdownIt();
/** What a reader sees of markdown text: the text of its inline tokens, and whether anything is markup. */
function shown(markdown: string) {
  const inline = md.parse(markdown, {}).filter((t) => t.type === 'inline').flatMap((t) => t.children ?? []);
  return { text: inline.map((t) => (t.type === 'softbreak' ? '\n' : t.content)).join(''), markup: inline.filter((t) => !['text', 'softbreak', 'strong_open', 'strong_close'].includes(t.type)).map((t) => t.type) };
}
/** Link, image and mention markup as a parser that knows no escapes would find it. */
const RAW_MARKUP = /\]\(|!\[/;

/** A requester whose name is markup, registering an app whose name is markup. */
async function hostileWorld() {
  const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
  const mallory = w.emulator.addPerson({ accountId: w.account.id, firstName: '[Boss](https://evil.example)', lastName: `![:Team](${w.adminChatId})`, email: 'mallory@acme.example' });
  const appName = `![:Person](${w.dave.id}) [Approve here](https://evil.example)`;
  const { app } = await register(w, mallory, 'ReadCallRecording', appName);
  return { w, mallory, appName, app };
}

describe('user text in the admin flow', () => {
  it('shows a hostile app name and requester name on the admin card as text, with no link or mention markup', async () => {
    const { w, appName } = await hostileWorld();
    const card = latestAdminCard(w).body as unknown as { fallbackText: string; body: unknown[] };
    expect(JSON.stringify(card)).not.toMatch(RAW_MARKUP);
    const facts = (card.body.find((b) => (b as { type: string }).type === 'FactSet') as { facts: { title: string; value: string }[] }).facts;
    const fact = (title: string) => shown(facts.find((f) => f.title === title)!.value);
    expect(fact('App')).toEqual({ text: `${appName} (REST API app)`, markup: [] });
    expect(fact('Requester')).toEqual({ text: `[Boss](https://evil.example) ![:Team](${w.adminChatId})`, markup: [] });
    expect(shown(card.fallbackText).markup).toEqual([]);
  });

  it('lists a hostile app name in pending as text: no mentions, no link', async () => {
    const { w, appName } = await hostileWorld();
    const [reply] = await w.say(w.dave, w.adminChatId, `![:Person](${w.botId}) pending`);
    expect(reply!.mentions).toBeNull();
    expect(reply!.text).not.toMatch(RAW_MARKUP);
    const line = shown(reply!.text!.split('\n')[1]!);
    expect(line.markup).toEqual([]);
    expect(line.text).toContain(`${appName} by [Boss](https://evil.example) ![:Team](${w.adminChatId}): ReadCallRecording`);
  });

  it('shows a hostile app name in audit, and in the decided card and the requester news, as text', async () => {
    const { w, app, appName } = await hostileWorld();
    await click(w, w.dave, 'Reject', { reason: '[Appeal here](https://evil.example) ![:Person](1)' });
    const [history] = await w.say(w.dave, w.adminChatId, `![:Person](${w.botId}) audit ${app.clientId}`);
    expect(history!.mentions).toBeNull();
    expect(history!.text).not.toMatch(RAW_MARKUP);
    expect(shown(history!.text!).text).toContain(`Approval history of ${appName}`);
    const [unknown] = await w.say(w.dave, w.adminChatId, `![:Person](${w.botId}) audit [x](https://evil.example) ![:Team](${w.adminChatId})`);
    expect(unknown!.mentions).toBeNull();
    expect(unknown!.text).not.toMatch(RAW_MARKUP);
    expect(JSON.stringify(adminCards(w).at(-1)!.body)).not.toMatch(RAW_MARKUP);
    const dm = await w.emulator.directChat(app.ownerId, w.botId);
    const news = w.botCards(dm.id).at(-1)!.body;
    expect(JSON.stringify(news)).not.toMatch(RAW_MARKUP);
  });
});

describe('user text in the registration form', () => {
  it('quotes a hostile typed value in an error message as text', async () => {
    const { world: w, flow } = await startFlowWorld();
    world = w;
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await flow.next({ scopes: `ReadMessages,[Approve here](https://evil.example),![:Person](${w.bob.id})`, justification: '' });
    const text = flow.text();
    expect(text).toMatch(/These scopes don't exist/);
    expect(text).not.toMatch(RAW_MARKUP);
    expect(shown(text.split('\n').find((l) => l.includes("don't exist"))!).markup).toEqual([]);
  });

  it('shows hostile answers on the review card and the closed form as text', async () => {
    const { world: w, flow } = await startFlowWorld();
    world = w;
    const appName = '[Approve here](https://evil.example)';
    await flow.next({ appType: 'rest-api' });
    await flow.next({ ...goodBasics, appName, displayName: `![:Person](${w.bob.id}) **Boss**` });
    await flow.next({ authMethod: 'oauth', redirectUris: 'https://app.example.com/cb?next=[a](https://evil.example)\nhttps://app.example.com/two', refreshTokens: 'false' });
    await flow.next({ scopes: 'ReadMessages', justification: '' });
    await flow.next({ access: 'private', partners: '' });
    await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
    const review = flow.text();
    expect(review).toMatch(/Review/);
    expect(review).not.toMatch(RAW_MARKUP);
    const facts = review.split('\n').filter((l) => /^(App name|Display name|Redirect URIs): /.test(l));
    expect(facts.map((l) => shown(l).markup)).toEqual([[], [], []]);
    expect(shown(facts[0]!).text).toBe(`App name: ${appName}`);
    await flow.click('submit');
    // The form turned into the credentials card: the app name on it is text too.
    expect(flow.text()).toMatch(/^App registered: /);
    expect(flow.text()).not.toMatch(RAW_MARKUP);
    expect(shown(flow.text().split('\n')[0]!).markup).toEqual([]);
  });

  it('echoes an unknown command as text', async () => {
    const w = (world = await startWorld());
    const dm = await w.dm(w.alice);
    const [reply] = await w.say(w.alice, dm.id, `[Approve here](https://evil.example) ![:Team](${dm.id}) **now**`);
    expect(reply!.text).toMatch(/I don't know/);
    expect(reply!.mentions).toBeNull();
    expect(reply!.text).not.toMatch(RAW_MARKUP);
    expect(shown(reply!.text!).markup).toEqual([]);
  });
});
