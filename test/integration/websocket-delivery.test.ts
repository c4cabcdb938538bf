import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const websocket = { RINGCENTRAL_DELIVERY: 'websocket' };
const subscribePosts = (w: World) => w.emulator.requests.filter((r) => r.transport === 'ws' && r.method === 'POST' && r.path === '/restapi/v1.0/subscription');

describe('WebSocket delivery when things go wrong', () => {
  it('retries a WebSocket subscribe refused with SUB-406 until the bot user is ready, then answers', async () => {
    world = await startWorld({ env: websocket, noInstall: true });
    await world.install({ subscribeFailures: 2 });

    expect(subscribePosts(world).map((r) => r.status)).toEqual([403, 403, 200]);
    expect(world.emulator.subscriptions({ botId: world.botId })).toMatchObject([{ transport: 'WebSocket', status: 'Active' }]);
    const dm = await world.dm(world.alice);
    const [reply] = await world.say(world.alice, dm.id, 'help');
    expect(reply?.text).toContain('create app');
  });

  it('closes the socket of every failed subscribe, and none stays open once the bot has stopped', async () => {
    world = await startWorld({ env: websocket, noInstall: true });
    await world.install({ subscribeFailures: 2 });
    const botId = world.botId;

    // Three subscribes, one socket each: only the one that subscribed stays open.
    expect(world.emulator.requests.filter((r) => r.transport === 'ws' && r.path === '/ws' && r.status === 101)).toHaveLength(3);
    await world.emulator.waitFor(() => world!.emulator.openWebSockets({ botId }) === 1, { message: 'failed subscribes left their sockets open' });
    await world.stop();
    await world.emulator.waitFor(() => world!.emulator.openWebSockets({ botId }) === 0, { message: 'a socket survived close()' });
  });

  it('closes the socket when subscribing fails for good', async () => {
    world = await startWorld({ env: websocket, noInstall: true });
    await world.install({ subscribeFailures: 1000 }); // never ready: the bot gives up after its attempts
    const botId = world.botId;

    expect(subscribePosts(world).length).toBeGreaterThan(1);
    expect(world.logs.some((l) => l.includes('subscription failed'))).toBe(true);
    await world.emulator.waitFor(() => world!.emulator.openWebSockets({ botId }) === 0, { message: 'a failed subscribe left its socket open' });
  });

  it('reports the platform error code when the WebSocket token call keeps failing, and subscribes at the next check', async () => {
    world = await startWorld({ env: websocket, noInstall: true });
    world.emulator.failNext(2, { status: 503 }, { method: 'POST', pathPrefix: '/restapi/oauth/wstoken' });
    await world.install(); // the client retries the token once by itself, then gives up

    const failure = world.logs.find((l) => l.includes('subscription failed'));
    expect(failure).toContain('HTTP 503 (CMN-201)');
    expect(world.emulator.subscriptions({ botId: world.botId })).toEqual([]);
    await world.bot.maintain();
    expect(world.emulator.subscriptions({ botId: world.botId })).toMatchObject([{ transport: 'WebSocket', status: 'Active' }]);
    expect(world.emulator.requests.filter((r) => r.path === '/restapi/oauth/wstoken').map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('leaves no socket open when stopped while a subscribe is under way', async () => {
    world = await startWorld({ env: websocket, noInstall: true });
    world.emulator.failNext(1, { delayMs: 500 }, { method: 'POST', pathPrefix: '/restapi/v1.0/subscription' });
    const { botId } = await world.emulator.installBot({ clientId: world.app.clientId, accountId: world.account.id, installerId: world.alice.id });
    // Connected: the subscribe request is on its way and will be answered late.
    await world.emulator.waitFor(() => world!.emulator.requests.some((r) => r.path === '/ws' && r.status === 101));

    await world.stop();

    // stop() waited for the subscribe under way, which succeeded, and closed its socket.
    expect(subscribePosts(world).map((r) => r.status)).toEqual([200]);
    await world.emulator.waitFor(() => world!.emulator.openWebSockets({ botId }) === 0, { message: 'a socket opened during close() survived it' });
  });

  it('keeps the bot token after a 401 on the WebSocket token call, and subscribes and answers after it', async () => {
    world = await startWorld({ env: websocket, noInstall: true });
    world.emulator.failNext(1, { status: 401 }, { method: 'POST', pathPrefix: '/restapi/oauth/wstoken' });
    await world.install();
    await world.bot.maintain(); // whatever the first attempt did, a later check must be able to subscribe

    const wstokens = world.emulator.requests.filter((r) => r.path === '/restapi/oauth/wstoken');
    expect(wstokens[0]?.status).toBe(401);
    expect(wstokens.some((r) => r.status === 200)).toBe(true);
    expect(world.emulator.subscriptions({ botId: world.botId })).toMatchObject([{ transport: 'WebSocket', status: 'Active' }]);
    const dm = await world.dm(world.alice);
    const [reply] = await world.say(world.alice, dm.id, 'help');
    expect(reply?.text).toContain('create app');
  });

  it('answers every message sent while its socket was down, once the session is recovered', async () => {
    world = await startWorld({ env: websocket });
    const dm = await world.dm(world.alice);
    const bobDm = await world.dm(world.bob);
    const [subscription] = world.emulator.subscriptions({ botId: world.botId });

    // Its next WebSocket token comes a second late: the socket stays down while the users write.
    world.emulator.failNext(1, { delayMs: 1000 }, { method: 'POST', pathPrefix: '/restapi/oauth/wstoken' });
    expect(world.emulator.dropWebSockets({ botId: world.botId })).toBe(1);
    await world.emulator.post({ chatId: dm.id, personId: world.alice.id, text: 'help' });
    await world.emulator.post({ chatId: bobDm.id, personId: world.bob.id, text: 'help' });
    expect(world.emulator.deliveries.filter((d) => d.transport === 'WebSocket').slice(-2).map((d) => d.outcome)).toEqual(['buffered', 'buffered']);

    await world.emulator.waitFor(() => world!.botTexts(dm.id).length > 0 && world!.botTexts(bobDm.id).length > 0, {
      message: 'a message sent while the socket was down was never answered',
      timeoutMs: 15_000,
    });
    expect(world.botTexts(dm.id)[0]).toContain('create app');
    expect(world.botTexts(bobDm.id)[0]).toContain('create app');
    // Recovered, not resubscribed: the same subscription still delivers.
    expect(world.emulator.subscriptions({ botId: world.botId }).map((s) => s.id)).toEqual([subscription!.id]);
  });

  it('subscribes anew when the subscribe after a failed session recovery is refused, and answers again', async () => {
    world = await startWorld({ env: websocket });
    const dm = await world.dm(world.alice);
    const [first] = world.emulator.subscriptions({ botId: world.botId });
    // Its next WebSocket token comes a second late: the session expires before the bot is back.
    world.emulator.failNext(1, { delayMs: 1000 }, { method: 'POST', pathPrefix: '/restapi/oauth/wstoken' });
    world.emulator.dropWebSockets({ botId: world.botId });
    await world.emulator.waitFor(() => world!.emulator.openWebSockets() === 0); // the gateway saw it close
    world.clock.set(world.clock.now() + 181_000); // past recoveryTimeout: the session and its subscription are gone
    await world.emulator.tick();
    expect(world.emulator.subscriptions({ botId: world.botId })).toEqual([]);
    world.emulator.failNext(1, { status: 503 }, { method: 'POST', pathPrefix: '/restapi/v1.0/subscription' });

    await world.emulator.waitFor(() => world!.emulator.subscriptions({ botId: world!.botId }).length === 1, {
      message: 'the bot never subscribed again',
      timeoutMs: 15_000,
    });

    expect(subscribePosts(world).map((r) => r.status)).toEqual([200, 503, 200]);
    expect(world.emulator.subscriptions({ botId: world.botId })[0]!.id).not.toBe(first!.id);
    const [reply] = await world.say(world.alice, dm.id, 'help');
    expect(reply?.text).toContain('create app');
    expect((await world.bot.installations.get(world.account.id))?.subscription?.id).toBe(world.emulator.subscriptions({ botId: world.botId })[0]!.id);
    await world.emulator.waitFor(() => world!.emulator.openWebSockets({ botId: world!.botId }) === 1, { message: 'the socket that lost its subscription stayed open' });
  });
});
