import { afterEach, describe, expect, it } from 'vitest';
import { goodBasics, inputs, startFlowWorld, submitActions, type FlowDriver } from '../helpers/flow.js';
import type { World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function begin() {
  const started = await startFlowWorld();
  world = started.world;
  return started;
}

const inputIds = (flow: FlowDriver) => Object.keys(inputs(flow.flowCard().body));
const buttonTitles = (flow: FlowDriver) => submitActions(flow.flowCard().body).map((a) => a.title);
const body = (flow: FlowDriver) => flow.flowCard().body as { body: Record<string, unknown>[] };
/** The input with this id on the form's card, wherever it is nested. */
function field(flow: FlowDriver, id: string): Record<string, unknown> | undefined {
  const walk = (node: unknown): Record<string, unknown> | undefined => {
    if (Array.isArray(node)) return node.map(walk).find(Boolean);
    if (typeof node !== 'object' || node === null) return undefined;
    const o = node as Record<string, unknown>;
    return o.id === id ? o : Object.values(o).map(walk).find(Boolean);
  };
  return walk(flow.flowCard().body);
}
const choiceTitles = (flow: FlowDriver, id: string) => ((field(flow, id)?.choices ?? []) as { title: string }[]).map((c) => c.title);

describe('only the fields that apply', () => {
  it('asks redirect URIs and refresh tokens only after 3-legged OAuth is chosen, under the same step number', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    expect(flow.text()).toContain('Step 3 of 7: Authentication');
    expect(inputIds(flow)).toEqual(['authMethod']);
    await flow.next({ authMethod: 'oauth' });
    expect(flow.text()).toContain('Step 3 of 7: Authentication');
    expect(flow.text()).not.toMatch(/Please fix/);
    expect(inputIds(flow)).toEqual(['redirectUris', 'refreshTokens']);
    // Back from the follow-up shows the method again, still chosen.
    await flow.click('back');
    expect(flow.text()).toContain('Step 3 of 7: Authentication');
    expect(inputs(flow.flowCard().body)).toEqual({ authMethod: 'oauth' });
    await flow.next();
    await flow.next({ redirectUris: '' });
    expect(flow.text()).toContain('OAuth needs at least one redirect URI');
    expect(inputIds(flow)).toEqual(['redirectUris', 'refreshTokens']);
    await flow.next({ redirectUris: 'https://app.example.com/cb', refreshTokens: 'true' });
    expect(flow.text()).toContain('Step 4 of 7: Scopes');
  });

  it('goes straight on from JWT, and the review shows no redirect URIs or refresh tokens', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'jwt' });
    expect(flow.text()).toContain('Step 4 of 7: Scopes');
    await flow.next({ scopes: 'ReadMessages' });
    await flow.next({ access: 'private' });
    expect(flow.text()).toContain('Step 6 of 7: Features');
    expect(inputIds(flow)).toEqual(['interactiveMessages']);
    await flow.next({ interactiveMessages: 'false' });
    expect(flow.text()).toContain('Review');
    expect(flow.text()).not.toMatch(/Redirect URIs|Refresh tokens|Partners|webhook/i);
  });

  it('asks partners only for a public app, as all partners or only the ones ticked', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'jwt' });
    await flow.next({ scopes: 'ReadMessages' });
    expect(inputIds(flow)).toEqual(['access']);
    await flow.next({ access: 'public' });
    expect(flow.text()).toContain('Step 5 of 7: Access');
    expect(inputIds(flow)).toEqual(['partnerReach', 'partners']);
    await flow.next({ partnerReach: 'only', partners: '' });
    expect(flow.text()).toMatch(/Choose all partners, or at least one specific partner/);
    expect(flow.text()).toContain('Step 5 of 7: Access');
    await flow.next({ partnerReach: 'only', partners: 'att,bt' });
    await flow.next({ interactiveMessages: 'false' });
    expect(flow.text()).toMatch(/Partners: AT\\?&T Office@Hand, BT Cloud Work/);
    await flow.click('edit', {}, { section: 'access' });
    await flow.next({ access: 'public' });
    expect(inputs(flow.flowCard().body)).toEqual({ partnerReach: 'only', partners: 'att,bt' });
    await flow.next({ partnerReach: 'all' });
    expect(flow.text()).toContain('Partners: All current and future partners');
  });

  it('asks the webhook URL only once interactive messages are on, and keeps the bot at its step count', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'bot' });
    await flow.next(goodBasics);
    expect(flow.text()).toContain('Step 3 of 6: Scopes');
    await flow.next({ scopes: 'TeamMessaging' });
    await flow.next({ access: 'private' });
    expect(flow.text()).toContain('Step 5 of 6: Features');
    await flow.next({ interactiveMessages: 'true' });
    expect(flow.text()).toContain('Step 5 of 6: Features');
    expect(inputIds(flow)).toEqual(['outboundWebhookUrl']);
    await flow.next({ outboundWebhookUrl: 'https://hooks.example.com/rc' });
    expect(flow.text()).toMatch(/Outbound webhook URL: https:\/\/hooks/);
  });

  it('gives a REST API app no hint meant for bots', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    expect(field(flow, 'iconUrl')?.label).toBe('Icon URL (optional)');
    expect(flow.text()).not.toMatch(/bots/i);
    await flow.click('back');
    await flow.next({ appType: 'bot' });
    expect(field(flow, 'iconUrl')?.label).toBe('Icon URL');
    expect(flow.text()).toMatch(/Required for bots/);
  });
});

describe('the scopes step', () => {
  it('shows the scopes granted at once apart from those an admin approves, with one sentence on who approves', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'jwt' });
    const card = inputs(flow.flowCard().body);
    expect(Object.keys(card)).toEqual(['scopes', 'approvalScopes']);
    const text = flow.text();
    expect(field(flow, 'scopes')?.label).toBe('Granted at once');
    expect(field(flow, 'approvalScopes')?.label).toBe('Need approval from an admin of this account');
    expect(choiceTitles(flow, 'scopes')).toContain('SMS: Send and receive SMS text messages');
    expect(choiceTitles(flow, 'scopes')).not.toContain('VoipCalling: Register as a VoIP device and place calls');
    expect(choiceTitles(flow, 'approvalScopes')).toContain('VoipCalling: Register as a VoIP device and place calls');
    expect(choiceTitles(flow, 'scopes').length + choiceTitles(flow, 'approvalScopes').length).toBe(34);
    expect(text).toMatch(/Includes: Contacts → ReadContacts; .*SMS → ReadMessages/);
    expect(text).not.toMatch(/RingCentral (reviews|approves)|reviewed by RingCentral/);
  });

  it('puts a scopes error in the banner that announces it', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'jwt' });
    await flow.next({ scopes: '', approvalScopes: '' });
    const banner = body(flow).body[1] as { style: string; items: { text: string }[] };
    expect(banner.style).toBe('warning');
    expect(banner.items.map((i) => i.text)).toEqual(['Please fix the fields marked below.', expect.stringMatching(/^Choose at least one scope/)]);
  });

  it('asks the justification on a follow-up card only when a scope needs approval, with the choice summed up', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'jwt' });
    await flow.next({ scopes: 'ReadCallLog', approvalScopes: 'ReadCallRecording' });
    expect(flow.text()).toContain('Step 4 of 7: Scopes');
    expect(flow.text()).not.toMatch(/Please fix/);
    expect(inputIds(flow)).toEqual(['justification']);
    expect(flow.text()).toMatch(/Chosen: ReadCallLog; awaiting an admin: ReadCallRecording/);
    await flow.next({ justification: 'too short' });
    expect(flow.text()).toMatch(/ReadCallRecording needs approval from an admin of this account\\?\. Please explain/);
    expect(inputIds(flow)).toEqual(['justification']);
    await flow.next({ justification: 'We archive call recordings for compliance audits.' });
    expect(flow.text()).toContain('Step 5 of 7: Access');
    await flow.next({ access: 'private' });
    await flow.next({ interactiveMessages: 'false' });
    expect(flow.text()).toContain('Granted at once: ReadCallLog');
    expect(flow.text()).toContain('Awaiting an admin: ReadCallRecording');
  });
});

describe('the review card', () => {
  it('has one labelled edit button per section, and editing returns with "Back to review"', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'jwt' });
    await flow.next({ scopes: 'ReadMessages' });
    await flow.next({ access: 'private' });
    await flow.next({ interactiveMessages: 'false' });
    expect(buttonTitles(flow)).toEqual([
      'Edit app type',
      'Edit name and contact',
      'Edit authentication',
      'Edit scopes',
      'Edit access',
      'Edit features',
      'Back',
      'Cancel',
      'Register app',
    ]);
    await flow.click('edit', {}, { section: 'scopes' });
    expect(flow.text()).toContain('Step 4 of 7: Scopes');
    // A step that may have a follow-up says "Continue": true whether or not one comes.
    expect(buttonTitles(flow)).toEqual(['Back', 'Cancel', 'Continue']);
    await flow.next({ scopes: 'ReadMessages,SMS' });
    expect(flow.text()).toContain('Granted at once: ReadMessages, SMS');
    // A step whose answer brings a follow-up continues to it first, then returns to the review.
    await flow.click('edit', {}, { section: 'auth' });
    expect(buttonTitles(flow)).toEqual(['Back', 'Cancel', 'Continue']);
    await flow.next({ authMethod: 'oauth' });
    expect(buttonTitles(flow)).toEqual(['Back', 'Cancel', 'Back to review']);
    await flow.next({ redirectUris: 'https://app.example.com/cb' });
    expect(flow.text()).toContain('Review');
    expect(flow.text()).toMatch(/Redirect URIs: https:\/\/app\\?\.example\\?\.com\/cb/);
  });
});

describe('the review card with long answers', () => {
  it('summarises long scope, redirect URI and partner lists and a long justification, the full answers one edit away', async () => {
    const { flow } = await begin();
    const catalog = (await import('../../src/registry/scope-catalog.js')).loadScopeCatalog();
    const instant = catalog.all().filter((s) => !s.requiresApproval).map((s) => s.name);
    const approval = catalog.all().filter((s) => s.requiresApproval).map((s) => s.name);
    const uris = Array.from({ length: 10 }, (_, i) => `https://app${i}.example.com/oauth/callback`);
    const justification = `${'We need these scopes for an internal harness that exercises every API we license. '.repeat(8)}THE-END`;
    await flow.next({ appType: 'rest-api' });
    await flow.next({ ...goodBasics, promote: 'true' });
    await flow.next({ authMethod: 'oauth' });
    await flow.next({ redirectUris: uris.join('\n'), refreshTokens: 'true' });
    await flow.next({ scopes: instant.join(','), approvalScopes: approval.join(',') });
    await flow.next({ justification });
    await flow.next({ access: 'public' });
    await flow.next({ partnerReach: 'only', partners: 'att,bt,telus,avaya,verizon,unify,atos,vodafone' });
    await flow.next({ interactiveMessages: 'false' });
    const text = flow.text().replace(/\\(.)/g, '$1'); // markdown escapes off
    const summed = (names: string[]) => (names.length > 11 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', '));
    expect(instant.length).toBeGreaterThan(11);
    expect(text).toContain('Review');
    expect(text).toContain(`Granted at once: ${summed(instant)}\n`);
    expect(text).toContain(`Awaiting an admin: ${summed(approval)}\n`);
    expect(text).toContain('app1.example.com');
    expect(text).not.toContain('app2.example.com');
    expect(text).toMatch(/app1\.example\.com\/oauth\/callback\nand 8 more/);
    expect(text).not.toContain('THE-END');
    expect(text).toMatch(/Justification: We need these scopes[^\n]{70,120}…\n/);
    expect(text).toMatch(/Partners: [^\n]+ and 2 more/);
    // Nothing was lost: the edit card still holds every answer.
    await flow.click('edit', {}, { section: 'auth' });
    await flow.next({ authMethod: 'oauth' });
    expect(inputs(flow.flowCard().body).redirectUris).toBe(uris.join('\n'));
  });

  it('says a private app is not listed in the App Gallery even when its owner means to promote it', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next({ ...goodBasics, promote: 'true' });
    await flow.next({ authMethod: 'jwt' });
    await flow.next({ scopes: 'ReadMessages' });
    await flow.next({ access: 'private' });
    await flow.next({ interactiveMessages: 'false' });
    expect(flow.text()).toContain('Promote in App Gallery: Yes, once the app is public; a private app is not listed');
  });
});

describe('words that fit the app type', () => {
  it('asks who can install a bot, not who can sign in', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'bot' });
    await flow.next(goodBasics);
    await flow.next({ scopes: 'TeamMessaging' });
    expect(field(flow, 'access')?.label).toBe('Who can install it?');
    expect(choiceTitles(flow, 'access')).toEqual(['Private: only your own account can install it', 'Public: any RingCentral customer can install it']);
    expect(JSON.stringify(flow.flowCard().body)).not.toMatch(/sign in/);
  });

  it('marks the field a change of type made necessary, when the type is edited from the review', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next({ ...goodBasics, iconUrl: '' });
    await flow.next({ authMethod: 'jwt' });
    await flow.next({ scopes: 'ReadMessages' });
    await flow.next({ access: 'private' });
    await flow.next({ interactiveMessages: 'false' });
    await flow.click('edit', {}, { section: 'type' });
    await flow.next({ appType: 'bot' });
    expect(flow.text()).toContain('Name and contact');
    expect(flow.text()).toMatch(/Your change affects this step too: please fix the fields marked below/);
    expect(flow.text().replace(/\\(.)/g, "$1")).toMatch(/Bots and add-ins need an icon/);
  });

  it('says "this scope" when one scope needs a justification', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'jwt' });
    await flow.next({ scopes: '', approvalScopes: 'ReadCallRecording' });
    expect(flow.text()).toMatch(/ReadCallRecording needs approval from an admin of this account: explain why your app needs it\./);
    expect(flow.text()).not.toMatch(/others are granted at once/);
    await flow.next({ justification: 'too short' });
    expect(flow.text()).toMatch(/why your app needs this scope/);
  });
});
