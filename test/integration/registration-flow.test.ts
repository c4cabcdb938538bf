import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_SECRET_REGEX, SHARED_SECRET_REGEX } from '../../src/registry/credentials.js';
import { goodBasics, type FlowDriver, startFlowWorld } from '../helpers/flow.js';
import { cardText, unescaped, type World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function begin(env: Record<string, string> = {}) {
  const started = await startFlowWorld(env);
  world = started.world;
  return started;
}

/** The credentials card: the newest card in the DM once the flow is submitted (the form's own card). */
function credentials(w: World, chatId: string) {
  const cards = w.botCards(chatId);
  return cards[cards.length - 1]!;
}

function secretsIn(text: string) {
  return { clientSecret: text.match(/rgr_cs_[0-9A-Za-z]{38}/)?.[0], sharedSecret: text.match(/rgr_ss_[0-9A-Za-z]{46}/)?.[0] };
}

async function walkRestOauth(flow: FlowDriver) {
  await flow.next({ appType: 'rest-api' });
  await flow.next({ ...goodBasics, iconUrl: '' });
  await flow.next({ authMethod: 'oauth', redirectUris: 'https://app.example.com/callback\nhttp://localhost:8080/cb', refreshTokens: 'true' });
  await flow.next({ scopes: 'ReadMessages,SMS', justification: '' });
  await flow.next({ access: 'private', partners: '' });
  await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
}

describe('registering a REST API app with OAuth', () => {
  it('walks every step, shows a review, and sends working credentials privately', async () => {
    const { world, dm, flow } = await begin();
    expect(flow.text()).toContain('Step 1 of 7: App type');
    await walkRestOauth(flow);
    const review = unescaped(flow.text());
    expect(review).toContain('App name: Expense Sync');
    expect(review).toContain('Redirect URIs: https://app.example.com/callback\nhttp://localhost:8080/cb');
    expect(review).toContain('Granted at once: ReadMessages, SMS');
    expect(review).toContain('Who can sign in: Private');
    await flow.click('submit');

    const card = credentials(world, dm.id);
    const text = cardText(card.body);
    expect(text).toContain('Expense Sync');
    const { clientSecret, sharedSecret } = secretsIn(text);
    expect(clientSecret).toMatch(CLIENT_SECRET_REGEX);
    expect(sharedSecret).toBeUndefined();
    // Next steps name Registrar's own authorization server, not RingCentral's.
    expect(text).toContain(`${world.env.BOT_PUBLIC_URL}/oauth/auth`);
    expect(text).toContain(`${world.env.BOT_PUBLIC_URL}/oauth/token`);
    expect(text).not.toMatch(/RingCentral's authorization page/);
    // A clock time, not a countdown that is wrong a minute later.
    expect(text).toMatch(/hidden at \d\d:\d\d UTC, 15 minutes after this card was sent/);
    expect(text).not.toMatch(/\bin \d+ minutes?\b/);
    // The form itself turned into the credentials: one card, nothing to look for elsewhere.
    expect(card.id).toBe(flow.flowCard().id);
    expect(world.botCards(dm.id)).toHaveLength(1);

    const [app] = await world.bot.registry.listByOwner(world.account.id, world.alice.id);
    expect(app).toMatchObject({ appType: 'rest-api', authMethod: 'oauth', refreshTokens: true, grantedScopes: ['ReadMessages', 'SMS'], pendingScopes: [] });
    expect(text).toContain(app!.clientId);
    expect((await world.bot.registry.authorize(app!.clientId, clientSecret!))?.scopes).toEqual(['ReadMessages', 'SMS']);
    expect(await world.bot.registry.authorize(app!.clientId, clientSecret!.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')))).toBeUndefined();
  });
});

describe('registering a REST API app with JWT, approval scopes and interactive messages', () => {
  it('grants the ordinary scopes at once, lists the rest as awaiting approval, and issues a shared secret', async () => {
    const { world, dm, flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    expect(flow.text()).toContain('Authentication');
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await flow.next({ scopes: 'ReadCallLog,ReadCallRecording', justification: 'We archive call recordings for compliance audits.' });
    await flow.next({ access: 'public', partners: 'all' });
    await flow.next({ interactiveMessages: 'true', outboundWebhookUrl: 'https://hooks.example.com/rc' });
    expect(flow.text()).toContain('Method: JWT');
    await flow.click('submit');
    const text = cardText(credentials(world, dm.id).body);
    const { clientSecret, sharedSecret } = secretsIn(text);
    expect(clientSecret).toMatch(CLIENT_SECRET_REGEX);
    expect(sharedSecret).toMatch(SHARED_SECRET_REGEX);
    expect(text).toContain('ReadCallRecording');
    expect(text).toMatch(/JWT credential/);
    const [app] = await world.bot.registry.listByOwner(world.account.id, world.alice.id);
    expect(app).toMatchObject({ grantedScopes: ['ReadCallLog'], pendingScopes: ['ReadCallRecording'], access: 'public', partners: 'all' });
    expect(app!.sharedSecrets).toHaveLength(1);
    expect(JSON.stringify(app)).not.toContain(sharedSecret!);
    expect(JSON.stringify(app)).not.toContain(clientSecret!);
    expect(app!.sharedSecrets![0]!.last4).toBe(sharedSecret!.slice(-4));
  });
});

describe('registering a bot add-in', () => {
  it('skips the auth step and requires an icon', async () => {
    const { world, dm, flow } = await begin();
    await flow.next({ appType: 'bot' });
    expect(flow.text()).toContain('Step 2 of 6');
    await flow.next({ ...goodBasics, iconUrl: '' });
    expect(flow.text()).toMatch(/icon/i);
    expect(flow.text()).toContain('Please fix the fields marked below.');
    await flow.next(goodBasics);
    expect(flow.text()).toContain('Scopes');
    await flow.next({ scopes: 'TeamMessaging', justification: '' });
    await flow.next({ access: 'private', partners: '' });
    await flow.next({ interactiveMessages: 'true', outboundWebhookUrl: 'https://bots.example.com/submit' });
    expect(flow.text()).not.toContain('Authentication');
    expect(unescaped(flow.text())).toContain('Who can install it: Private');
    expect(flow.text()).not.toContain('Who can sign in');
    await flow.click('submit');
    const text = cardText(credentials(world, dm.id).body);
    expect(text).toMatch(/Install the bot/);
    expect(secretsIn(text).sharedSecret).toMatch(SHARED_SECRET_REGEX);
  });
});

describe('notification add-ins', () => {
  it('are explained but cannot be chosen unless the operator allows them', async () => {
    const { flow } = await begin();
    expect(flow.text()).toMatch(/deprecated/i);
    await flow.next({ appType: 'notification' });
    expect(flow.text()).toContain('Step 1 of');
    expect(flow.text()).toMatch(/deprecated/i);
  });

  it('with ALLOW_NOTIFICATION_ADDINS ask for installation instructions and no auth or scopes', async () => {
    const { world, dm, flow } = await begin({ ALLOW_NOTIFICATION_ADDINS: 'true' });
    await flow.next({ appType: 'notification' });
    await flow.next(goodBasics);
    expect(flow.text()).toMatch(/Integrated installation is always on/);
    await flow.next({ manualInstructions: '', webInstallUrl: '' });
    expect(flow.text()).toContain('Please fix the fields marked below.');
    await flow.next({ manualInstructions: 'Paste the webhook URL into Settings > Integrations.', webInstallUrl: 'https://install.example.com/rc' });
    await flow.click('submit');
    const text = cardText(credentials(world, dm.id).body);
    expect(text).toMatch(/incoming webhook URL/);
    const [app] = await world.bot.registry.listByOwner(world.account.id, world.alice.id);
    expect(app).toMatchObject({ appType: 'notification', manualInstructions: 'Paste the webhook URL into Settings > Integrations.' });
    expect(app!.scopes).toBeUndefined();
  });
});
