import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('installing the bot', () => {
  it('takes a private install posted form-urlencoded and subscribes with a verified webhook', async () => {
    world = await startWorld();
    const installs = await world.bot.installations.list();
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatchObject({ accountId: world.account.id, botId: world.botId, creatorExtensionId: world.alice.id });
    const subs = world.emulator.subscriptions({ botId: world.botId });
    expect(subs).toHaveLength(1);
    expect(subs[0]).toMatchObject({
      status: 'Active',
      transport: 'WebHook',
      address: `${world.env.BOT_PUBLIC_URL}/bot/webhook`,
      verificationToken: world.bot.verificationToken,
    });
    expect(subs[0]!.eventFilters).toEqual(
      expect.arrayContaining(['/team-messaging/v1/posts', '/team-messaging/v1/chats', '/restapi/v1.0/account/~/extension/~']),
    );
  });

  it('keeps the bot token encrypted at rest', async () => {
    world = await startWorld({ noInstall: true });
    const { accessToken } = await world.install();
    const { readFileSync } = await import('node:fs');
    // Wherever the store keeps it: snapshot or journal.
    const file = ['registrar.json', 'registrar.journal'].map((f) => readFileSync(`${world!.dataDir}/${f}`, 'utf8')).join('\n');
    expect(file).toContain(world.botId);
    expect(file).not.toContain(accessToken);
  });

  it('exchanges a public install code with Basic client auth and the exact redirect URI', async () => {
    world = await startWorld({ kind: 'public' });
    expect(await world.bot.installations.list()).toHaveLength(1);
    const tokenCall = world.emulator.requests.find((r) => r.path === '/restapi/oauth/token');
    expect(tokenCall?.status).toBe(200);
    expect(tokenCall?.body).toMatchObject({ grant_type: 'authorization_code', redirect_uri: `${world.env.BOT_PUBLIC_URL}/bot/oauth` });
    expect(world.emulator.subscriptions({ botId: world.botId })[0]?.status).toBe('Active');
  });

  it('keeps installations of several accounts side by side', async () => {
    world = await startWorld();
    const other = world.emulator.createAccount({ name: 'Globex' });
    const otherPerson = world.emulator.addPerson({ accountId: other.id, firstName: 'Oscar', lastName: 'Other', email: 'oscar@globex.example' });
    const second = await world.emulator.installBot({ clientId: world.app.clientId, accountId: other.id, installerId: otherPerson.id });
    await world.bot.installations.idle();
    expect(second.status).toBe(200);
    const accounts = (await world.bot.installations.list()).map((i) => i.accountId).sort();
    expect(accounts).toEqual([world.account.id, other.id].sort());
    const dm = await world.emulator.directChat(otherPerson.id, second.botId);
    await world.emulator.post({ chatId: dm.id, personId: otherPerson.id, text: 'help' });
    await world.emulator.waitFor(() => world!.emulator.posts({ chatId: dm.id, creatorId: second.botId }).length > 0);
    expect(world.emulator.posts({ chatId: dm.id, creatorId: second.botId })[0]?.text).toContain('create app');
  });

  it('retries subscribing while RingCentral answers SUB-406 for a bot user not ready yet', async () => {
    world = await startWorld({ noInstall: true });
    await world.install({ subscribeFailures: 2 });
    const creates = world.emulator.requests.filter((r) => r.method === 'POST' && r.path === '/restapi/v1.0/subscription');
    expect(creates).toHaveLength(3);
    expect(creates.map((r) => r.status >= 400)).toEqual([true, true, false]);
    expect(world.emulator.subscriptions({ botId: world.botId })[0]?.status).toBe('Active');
  });

  it('removes the installation when the bot extension is deleted', async () => {
    world = await startWorld();
    await world.emulator.uninstallBot({ clientId: world.app.clientId, accountId: world.account.id });
    await world.emulator.waitFor(() => world!.logs.some((l) => l.includes('installation removed')), { message: 'installation not removed' });
    expect(await world.bot.installations.list()).toEqual([]);
  });
});

describe('talking to the bot', () => {
  it('answers help in a direct message with the commands', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    const [reply] = await world.say(world.alice, dm.id, 'help');
    expect(reply?.text).toContain('create app');
    expect(reply?.text).toContain('help');
  });

  it('answers when RingCentral puts the verification token in Validation-Token on deliveries', async () => {
    world = await startWorld({ emulator: { deliveryTokenHeader: 'Validation-Token' } });
    const dm = await world.dm(world.alice);
    const [reply] = await world.say(world.alice, dm.id, 'help');
    expect(reply?.text).toContain('create app');
    expect(world.emulator.deliveries.filter((d) => d.eventType === 'PostAdded').every((d) => d.status === 200)).toBe(true);
  });

  it('answers anything else with a hint', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    const [reply] = await world.say(world.alice, dm.id, 'make me a sandwich');
    expect(reply?.text).toMatch(/Type \*\*help\*\*/);
  });

  it('ignores team posts that do not mention it and answers those that do, mention stripped', async () => {
    world = await startWorld();
    const team = await world.emulator.createChat({ accountId: world.account.id, type: 'Team', name: 'Platform', members: [world.alice.id, world.bob.id, world.botId] });
    await world.emulator.waitFor(() => world!.botTexts(team.id).length === 1, { message: 'no greeting on joining the team' });
    await world.emulator.post({ chatId: team.id, personId: world.bob.id, text: 'help' });
    const replies = await world.say(world.alice, team.id, `![:Person](${world.botId}) help`);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toContain('create app');
    await world.emulator.settle();
    expect(world.botTexts(team.id)).toHaveLength(2); // the greeting and the one answer
  });

  it('still needs a mention in a team that RingCentral lists as just the bot and one person', async () => {
    world = await startWorld({ emulator: { teamMembers: 'partial' } });
    const team = await world.emulator.createChat({ accountId: world.account.id, type: 'Team', name: 'Platform', members: [world.alice.id, world.bob.id, world.botId] });
    await world.emulator.waitFor(() => world!.botTexts(team.id).length === 1, { message: 'no greeting on joining the team' });
    await world.emulator.post({ chatId: team.id, personId: world.alice.id, text: 'help' });
    const [reply] = await world.say(world.bob, team.id, `![:Person](${world.botId}) help`);
    expect(reply?.text).toContain('create app');
    await world.emulator.settle();
    await new Promise((r) => setTimeout(r, 100));
    expect(world.botTexts(team.id)).toHaveLength(2); // the greeting and the answer to the mention
  });

  it('reads a command after mentions of other people too, and echoes no mention back', async () => {
    world = await startWorld();
    const team = await world.emulator.createChat({ accountId: world.account.id, type: 'Team', name: 'Eng', members: [world.alice.id, world.bob.id, world.carol.id, world.botId] });
    await world.emulator.waitFor(() => world!.botTexts(team.id).length === 1);
    const [help] = await world.say(world.alice, team.id, `![:Person](${world.bob.id}) ![:Person](${world.botId}) help`);
    expect(help?.text).toContain('create app');
    const [hint] = await world.say(world.alice, team.id, `![:Person](${world.botId}) ask ![:Person](${world.bob.id}) about it`);
    expect(hint?.text).toMatch(/I don't know "ask about it"/);
    expect(hint?.mentions).toBeNull(); // nobody is notified by the bot's answer
  });

  it('counts a mention of its id as a mention when RingCentral sends no mention type', async () => {
    world = await startWorld({ emulator: { omitMentionType: true } });
    const team = await world.emulator.createChat({ accountId: world.account.id, type: 'Team', name: 'Platform', members: [world.alice.id, world.bob.id, world.botId] });
    await world.emulator.waitFor(() => world!.botTexts(team.id).length === 1, { message: 'no greeting on joining the team' });
    const [reply] = await world.say(world.alice, team.id, `![:Person](${world.botId}) help`);
    expect(reply?.text).toContain('create app');
    const delivered = world.emulator.deliveries.find((d) => d.eventType === 'PostAdded' && (d.envelope.body as { creatorId?: string }).creatorId === world!.alice.id);
    expect((delivered?.envelope.body as { mentions?: object[] }).mentions).toEqual([{ id: world.botId, name: expect.any(String) }]);
  });

  it('fetches the text of a post delivered without it, and never fetches its own posts', async () => {
    world = await startWorld({ emulator: { omitPostText: true } });
    const dm = await world.dm(world.alice);
    const post = await world.emulator.post({ chatId: dm.id, personId: world.alice.id, text: 'help' });
    await world.emulator.waitFor(() => world!.botTexts(dm.id).length === 1, { message: 'no answer to a post without text' });
    expect(world.botTexts(dm.id)[0]).toContain('create app');
    await world.emulator.settle();
    await new Promise((r) => setTimeout(r, 100));
    const fetched = world.emulator.requests.filter((r) => r.method === 'GET' && /\/posts\/[^/]+$/.test(r.path)).map((r) => r.path);
    expect(fetched).toEqual([`/team-messaging/v1/chats/${dm.id}/posts/${post.id}`]);
  });

  it('keeps answering in a team when text and mention types come and go from event to event', async () => {
    world = await startWorld({ emulator: { omitPostText: 'alternate', omitMentionType: 'alternate' } });
    const team = await world.emulator.createChat({ accountId: world.account.id, type: 'Team', name: 'Platform', members: [world.alice.id, world.bob.id, world.botId] });
    await world.emulator.waitFor(() => world!.botTexts(team.id).length === 1, { message: 'no greeting on joining the team' });
    for (let i = 0; i < 4; i++) {
      await world.emulator.post({ chatId: team.id, personId: world.bob.id, text: 'help' }); // not for the bot
      const [reply] = await world.say(world.alice, team.id, `![:Person](${world.botId}) help`);
      expect(reply?.text).toContain('create app');
    }
    await world.emulator.settle();
    await new Promise((r) => setTimeout(r, 100));
    expect(world.botTexts(team.id)).toHaveLength(5); // the greeting and four answers
  });

  it('ignores its own posts echoed back to it', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    await world.say(world.alice, dm.id, 'help');
    await world.emulator.settle();
    const echoes = world.emulator.deliveries.filter(
      (d) => d.eventType === 'PostAdded' && (d.envelope.body as { creatorId?: string }).creatorId === world!.botId && d.status === 200,
    );
    expect(echoes.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(world.botTexts(dm.id)).toHaveLength(1);
  });
});
