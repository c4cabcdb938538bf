import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateCard } from '../../src/cards/validate-card.js';
import { glipSignature } from '../../src/emulator/index.js';
import { flowDriver, goodBasics, inputs, submitActions, walkToReview, startFlowWorld } from '../helpers/flow.js';
import { cardText, startWorld, type World } from '../helpers/world.js';

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

const dialogTitle = (result: { body: unknown }) => (result.body as { dialog?: { title?: string } } | null)?.dialog?.title;


function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('moving through the form', () => {
  it('goes back without losing answers', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.click('back');
    expect(flow.text()).toContain('Name and contact');
    expect(inputs(flow.flowCard().body)).toMatchObject({ appName: 'Expense Sync', primaryContact: 'alice@acme.example' });
    await flow.click('back');
    expect(inputs(flow.flowCard().body)).toMatchObject({ appType: 'rest-api' });
  });

  it('edits one section from the review and returns to the review with the other answers kept', async () => {
    const { flow } = await begin();
    await walkToReview(flow);
    await flow.click('edit', {}, { section: 'basics' });
    expect(flow.text()).toContain('Name and contact');
    await flow.next({ ...goodBasics, displayName: 'Expenses' });
    expect(flow.text()).toContain('Review');
    expect(flow.text()).toContain('Display name: Expenses');
    expect(flow.text()).toContain('Method: JWT');
    expect(flow.text()).toContain('Granted at once: ReadMessages');
  });

  it('sends an edit that changes the app type through the steps it now needs', async () => {
    const { flow } = await begin();
    await flow.next({ appType: 'bot' });
    await flow.next(goodBasics);
    await flow.next({ scopes: 'TeamMessaging', justification: '' });
    await flow.next({ access: 'private', partners: '' });
    await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
    await flow.click('edit', {}, { section: 'type' });
    await flow.next({ appType: 'rest-api' });
    expect(flow.text()).toContain('Authentication');
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    expect(flow.text()).toContain('Review');
    expect(flow.text()).toContain('Type: REST API app');
  });

  it('cancels from the card and says so; nothing is registered', async () => {
    const { world, flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.click('cancel');
    expect(flow.text()).toContain('Registration cancelled');
    expect(await world.bot.registry.listByOwner(world.account.id, world.alice.id)).toEqual([]);
  });

  it('cancels by command, and resume then finds nothing', async () => {
    const { world, dm, flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    const texts = world.botTexts(dm.id).length;
    await world.emulator.post({ chatId: dm.id, personId: world.alice.id, text: 'cancel' });
    await world.emulator.waitFor(() => flow.text().includes('Registration cancelled'), { message: 'the form card never said it was cancelled' });
    expect(world.botTexts(dm.id)).toHaveLength(texts); // the card says so; no second message repeats it
    const [again] = await world.say(world.alice, dm.id, 'resume');
    expect(again?.text).toMatch(/no registration in progress/);
  });

  it('resumes on a fresh card and retires the old one', async () => {
    const { world, dm, flow } = await begin();
    await flow.next({ appType: 'bot' });
    const old = flow.flowCard();
    await world.say(world.alice, dm.id, 'resume');
    const fresh = flow.flowCard();
    expect(fresh.id).not.toBe(old.id);
    expect(cardText(fresh.body)).toContain('Name and contact');
    await world.emulator.waitFor(() => cardText(world!.emulator.card(old.id)!.body).trim() === 'This form continues in a newer card below.', { message: 'old card not retired to a one-line stub' });
  });
});

describe('clicks that must do no harm', () => {
  it('answers an outdated button with "moved on" and changes nothing', async () => {
    const { world, flow } = await begin();
    const stale = flow.action('next');
    await flow.next({ appType: 'rest-api' });
    const before = flow.flowCard().versions.length;
    const result = await flow.click('next', { appType: 'bot' }, { data: stale });
    expect(result.status).toBe(200);
    expect(dialogTitle(result)).toBe('This form has moved on');
    expect(flow.flowCard().versions.length).toBe(before);
    expect(flow.text()).toContain('Step 2 of 7');
    expect(world).toBeTruthy();
  });

  it('acts once on a double click', async () => {
    const { flow } = await begin();
    const data = { ...flow.action('next'), appType: 'rest-api' };
    const results = await Promise.all([flow.click('next', {}, { data }), flow.click('next', {}, { data })]);
    expect(results.filter((r) => dialogTitle(r) === 'This form has moved on')).toHaveLength(1);
    expect(flow.text()).toContain('Step 2 of 7');
    await flow.next(goodBasics);
    expect(flow.text()).toContain('Step 3 of 7');
  });

  it("politely refuses someone else's click and changes nothing", async () => {
    const { world, flow } = await begin();
    const before = flow.flowCard().versions.length;
    // RingCentral only lets chat members click, so a stranger's click is forged here: a real
    // signed button_submit naming Bob, which the bot must judge by its user field alone.
    const request = world.emulator.signedSubmitRequest({ cardId: flow.flowCard().id, personId: world.alice.id, data: { ...flow.action('next'), appType: 'bot' } });
    const payload = { ...request.payload, user: { ...request.payload.user, id: world.bob.id, extId: world.bob.id, firstName: 'Bob', lastName: 'Baker' } };
    const body = JSON.stringify(payload);
    const res = await fetch(request.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-glip-signature': glipSignature(world.app.sharedSecret, body) }, body });
    expect(res.status).toBe(200);
    expect(dialogTitle({ body: await res.json() })).toBe('This form is not yours');
    expect(flow.flowCard().versions.length).toBe(before);
    expect(flow.text()).toContain('Step 1 of');
    expect(world.logs.some((l) => l.includes('flow click by someone else refused'))).toBe(true);
  });

  it('refuses a click on a form that is already submitted', async () => {
    const { world, flow } = await begin();
    await walkToReview(flow);
    const submit = flow.action('submit');
    await flow.click('submit');
    const again = await flow.click('submit', {}, { data: submit });
    expect(dialogTitle(again)).toMatch(/closed|moved on/);
    expect(await world.bot.registry.listByOwner(world.account.id, world.alice.id)).toHaveLength(1);
  });
});

describe('state that survives', () => {
  it('resumes at the same step with the same answers after a restart', async () => {
    const { world, flow } = await begin();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await world.stop();
    await world.start();
    expect(flow.text()).toContain('Authentication');
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    expect(flow.text()).toContain('Scopes');
    await flow.click('back');
    await flow.click('back');
    expect(inputs(flow.flowCard().body)).toMatchObject({ appName: 'Expense Sync' });
  });

  it('expires an abandoned form after FLOW_EXPIRE_HOURS and its card says so', async () => {
    const { world, dm, flow } = await begin({ FLOW_EXPIRE_HOURS: '2' });
    await flow.next({ appType: 'rest-api' });
    const data = flow.action('next');
    world.clock.advance(2 * 3600_000 + 1000);
    await world.bot.sweep();
    expect(flow.text()).toContain('This form expired');
    const late = await flow.click('next', goodBasics, { data });
    expect(dialogTitle(late)).toMatch(/closed|expired/);
    const [reply] = await world.say(world.alice, dm.id, 'resume');
    expect(reply?.text).toMatch(/no registration in progress|expired/);
  });

  it('hides the secrets after SECRET_REVEAL_SECONDS, even across a restart', async () => {
    const { world, dm, flow } = await begin({ SECRET_REVEAL_SECONDS: '60' });
    await walkToReview(flow);
    await flow.click('submit');
    const cards = world.botCards(dm.id);
    const creds = cards[cards.length - 1]!;
    const secret = cardText(creds.body).match(/rgr_cs_[0-9A-Za-z]{38}/)?.[0];
    expect(secret).toBeTruthy();
    expect(cardText(creds.body)).toMatch(/hidden at \d\d:\d\d UTC, 1 minute after this card was sent/);
    world.clock.advance(30_000);
    await world.bot.sweep();
    expect(cardText(world.emulator.card(creds.id)!.body)).toContain(secret);
    await world.stop();
    world.clock.advance(31_000);
    await world.start(); // the start-up sweep hides what fell due while the bot was down
    const after = cardText(world.emulator.card(creds.id)!.body);
    expect(after).not.toContain(secret);
    expect(after).toMatch(/shown once and is now hidden/);
  });
});

describe('privacy', () => {
  it('moves a start in a team to a direct message and posts nothing about the app in the team', async () => {
    world = await startWorld();
    const team = await world.emulator.createChat({ accountId: world.account.id, type: 'Team', name: 'Platform', members: [world.alice.id, world.bob.id, world.botId] });
    await world.emulator.waitFor(() => world!.botTexts(team.id).length === 1);
    await world.say(world.alice, team.id, `![:Person](${world.botId}) create app`);
    const dm = await world.dm(world.alice);
    await world.emulator.waitFor(() => world!.botCards(dm.id).length === 1, { message: 'no card in the DM' });
    const teamPosts = world.emulator.posts({ chatId: team.id, creatorId: world.botId });
    expect(teamPosts.map((p) => p.type)).toEqual(['TextMessage', 'TextMessage']);
    expect(teamPosts[1]!.text).toMatch(/direct message/);
    expect(world.botCards(team.id)).toEqual([]);
    const flow = flowDriver(world, world.alice, dm.id);
    await walkToReview(flow);
    await flow.click('submit');
    expect(world.botCards(team.id)).toEqual([]);
    expect(world.emulator.posts({ chatId: team.id, creatorId: world.botId })).toHaveLength(2);
  });

  it('keeps the client secret and shared secret out of DATA_DIR and the logs', async () => {
    const { world, dm, flow } = await begin();
    await flow.next({ appType: 'bot' });
    await flow.next(goodBasics);
    await flow.next({ scopes: 'TeamMessaging', justification: '' });
    await flow.next({ access: 'private', partners: '' });
    await flow.next({ interactiveMessages: 'true', outboundWebhookUrl: 'https://bots.example.com/submit' });
    await flow.click('submit');
    const cards = world.botCards(dm.id);
    const text = cardText(cards[cards.length - 1]!.body);
    const clientSecret = text.match(/rgr_cs_[0-9A-Za-z]{38}/)![0];
    const sharedSecret = text.match(/rgr_ss_[0-9A-Za-z]{46}/)![0];
    const files = filesUnder(world.dataDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const content = readFileSync(file, 'utf8');
      expect(content, file).not.toContain(clientSecret);
      expect(content, file).not.toContain(sharedSecret);
    }
    const logs = world.logs.join('\n');
    expect(logs).toContain('app registered');
    expect(logs).not.toContain(clientSecret);
    expect(logs).not.toContain(sharedSecret);
  });
});

describe('every card the bot sends', () => {
  it('parses as Adaptive Card 1.3 with no warnings and only supported actions', async () => {
    const { world, dm, flow } = await begin({ ALLOW_NOTIFICATION_ADDINS: 'true' });
    // Visit every step and error state of two app types, then submit.
    await flow.next({ appType: '' });
    await flow.next({ appType: 'rest-api' });
    await flow.next({ appName: '', displayName: '', iconUrl: 'ftp://x', primaryContact: 'no', promote: 'false' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'oauth', redirectUris: 'http://x', refreshTokens: 'true' });
    await flow.next({ authMethod: 'oauth', redirectUris: 'https://app.example.com/cb', refreshTokens: 'true' });
    await flow.next({ scopes: 'A2PSMS,EditMessages,ReadMessages', justification: '' });
    await flow.next({ scopes: 'A2PSMS,EditMessages,ReadMessages', justification: 'Reminders for appointments booked online.' });
    await flow.next({ access: 'public', partners: 'all,bt' });
    await flow.next({ access: 'public', partners: 'bt,telus' });
    await flow.next({ interactiveMessages: 'true', outboundWebhookUrl: 'https://127.0.0.1/' });
    await flow.next({ interactiveMessages: 'true', outboundWebhookUrl: 'https://hooks.example.com/rc' });
    await flow.click('submit');
    const notify = flowDriver(world, world.alice, dm.id);
    await world.say(world.alice, dm.id, 'create app');
    await notify.next({ appType: 'notification' });
    await notify.next(goodBasics);
    await notify.next({ manualInstructions: '', webInstallUrl: 'http://x' });
    await notify.click('cancel');
    world.clock.advance(16 * 60_000);
    await world.bot.sweep();

    const sent = world.emulator.cards();
    const versions = sent.flatMap((c) => c.versions.map((v) => v.body));
    expect(versions.length).toBeGreaterThan(15);
    for (const body of versions) {
      const { errors, warnings } = validateCard(body);
      expect({ errors, warnings }, JSON.stringify(body).slice(0, 200)).toEqual({ errors: [], warnings: [] });
      for (const action of submitActions(body)) expect(typeof action.data.action).toBe('string');
    }
  });
});
