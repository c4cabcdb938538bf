import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver, goodBasics, inputs, startFlowWorld } from '../helpers/flow.js';
import { type World } from '../helpers/world.js';

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

async function toFeatures() {
  const ctx = await begin();
  await ctx.flow.next({ appType: 'bot' });
  await ctx.flow.next(goodBasics);
  await ctx.flow.next({ scopes: 'TeamMessaging', justification: '' });
  await ctx.flow.next({ access: 'private', partners: '' });
  expect(ctx.flow.text()).toContain('Features');
  return ctx;
}

const badWebhookUrls = [
  'http://x',
  'https://127.0.0.1/hook',
  'https://2130706433/hook',
  'https://[::ffff:169.254.169.254]/hook',
  'https://u:p@hooks.example.com/hook',
  'https://hooks.example.com/hook#fragment',
  'https://0x7f000001/hook',
  'https://localhost/hook',
  'https://10.1.2.3/hook',
  'not a url',
];

describe('field rules, answered on the same card', () => {
  it.each(badWebhookUrls)('refuses %s as an outbound webhook URL, keeps it in the field, and stays on the step', async (url) => {
    const { flow, world } = await toFeatures();
    await flow.next({ interactiveMessages: 'true', outboundWebhookUrl: url });
    const card = flow.flowCard();
    expect(flow.text()).toContain('Features');
    expect(flow.text()).toContain('Please fix the fields marked below.');
    expect(inputs(card.body).outboundWebhookUrl).toBe(url);
    expect(await world.bot.registry.listByOwner(world.account.id, world.alice.id)).toEqual([]);
  });

  it('refuses a 2,000-character redirect URI and keeps the other answers', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    const long = `https://app.example.com/${'a'.repeat(1976)}`;
    expect(long).toHaveLength(2000);
    await flow.next({ authMethod: 'oauth', redirectUris: long, refreshTokens: 'true' });
    expect(flow.text()).toMatch(/256/);
    // The error shows on the OAuth follow-up card (the method was chosen), with what was typed kept.
    expect(flow.text()).toContain('Step 3 of 7: Authentication');
    expect(inputs(flow.flowCard().body)).toMatchObject({ refreshTokens: 'true', redirectUris: long });
  });

  it.each([
    ['http://app.example.com/cb', /https/],
    ['https://*.example.com/cb', /wildcard|\*/i],
    ['https://app.example.com/cb#x', /fragment|#/i],
    ['https://u:p@app.example.com/cb', /user|password|@/i],
  ])('refuses the redirect URI %s', async (uri, message) => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'oauth', redirectUris: uri, refreshTokens: 'false' });
    expect(flow.text()).toContain('Authentication');
    expect(flow.text()).toMatch(message);
  });

  it('shows a message beside each bad basic field and keeps what was typed', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next({ appName: 'x'.repeat(65), displayName: '', iconUrl: 'https://cdn.example.com/logo.txt', primaryContact: 'not-an-email', promote: 'true' });
    const values = inputs(flow.flowCard().body);
    expect(values).toMatchObject({ appName: 'x'.repeat(65), iconUrl: 'https://cdn.example.com/logo.txt', primaryContact: 'not-an-email', promote: 'true' });
    const text = flow.text();
    expect(text).toMatch(/64/);
    expect(text).toMatch(/display name/i);
    expect(text).toMatch(/image/i);
    expect(text).toMatch(/email/i);
  });

  it('refuses a second app with the same name, whatever its case', async () => {
    const { world, dm, flow } = await begin();
    await flow.next({ appType: 'bot' });
    await flow.next(goodBasics);
    await flow.next({ scopes: 'TeamMessaging', justification: '' });
    await flow.next({ access: 'private', partners: '' });
    await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
    await flow.click('submit');
    const again = flowDriver(world, world.alice, dm.id);
    await world.say(world.alice, dm.id, 'create app');
    await again.next({ appType: 'bot' });
    await again.next({ ...goodBasics, appName: 'EXPENSE sync' });
    expect(again.text()).toMatch(/already have an app called/);
  });

  it('requires a justification of at least 30 characters for scopes that need approval', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await flow.next({ scopes: 'A2PSMS,ReadMessages', justification: '' });
    expect(flow.text()).toMatch(/A2PSMS/);
    expect(flow.text()).toContain('Please fix the fields marked below.');
    await flow.next({ scopes: 'A2PSMS,ReadMessages', justification: 'Because.' });
    expect(flow.text()).toMatch(/30/);
    await flow.next({ scopes: 'A2PSMS,ReadMessages', justification: 'Appointment reminders to our patients by text.' });
    expect(flow.text()).toContain('Access');
  });

  it('says when a chosen scope already includes another chosen one', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await flow.next({ scopes: 'EditMessages,ReadMessages', justification: 'x' });
    // Overlap is advice, not an error: the step is accepted and the next card says so.
    expect(flow.text()).toContain('Access');
    expect(flow.text()).toMatch(/EditMessages already includes ReadMessages/);
    await flow.click('back');
    expect(flow.text()).toMatch(/EditMessages already includes ReadMessages/);
  });
});
