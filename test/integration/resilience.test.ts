import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const postsPath = (chatId: string) => `/team-messaging/v1/chats/${chatId}/posts`;

describe('recovering from RingCentral trouble', () => {
  it('waits for Retry-After after a 429 and then answers', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    world.emulator.failNext(1, { status: 429, retryAfter: 1 }, { method: 'POST', pathPrefix: postsPath(dm.id) });
    const started = performance.now();
    const [reply] = await world.say(world.alice, dm.id, 'help');
    expect(reply?.text).toContain('create app');
    const attempts = world.emulator.requests.filter((r) => r.method === 'POST' && r.path === postsPath(dm.id));
    expect(attempts.map((r) => r.status)).toEqual([429, 201]);
    // Retry-After: 1 was honoured (a lower bound on elapsed time, not a speed assertion).
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('retries a 503 with backoff and then answers', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    world.emulator.failNext(2, { status: 503 }, { method: 'POST', pathPrefix: postsPath(dm.id) });
    const [reply] = await world.say(world.alice, dm.id, 'help');
    expect(reply?.text).toContain('create app');
    const attempts = world.emulator.requests.filter((r) => r.method === 'POST' && r.path === postsPath(dm.id));
    expect(attempts.map((r) => r.status)).toEqual([503, 503, 201]);
  });

  it('recreates a Blacklisted subscription at start-up', async () => {
    world = await startWorld();
    const [first] = world.emulator.subscriptions({ botId: world.botId });
    world.emulator.blacklist(first!.id, 'Read timed out');
    await world.stop();
    await world.start();
    const active = world.emulator.subscriptions({ botId: world.botId }).filter((s) => s.status === 'Active');
    expect(active).toHaveLength(1);
    expect(active[0]!.id).not.toBe(first!.id);
    const dm = await world.dm(world.alice);
    const [reply] = await world.say(world.alice, dm.id, 'help');
    expect(reply?.text).toContain('create app');
  });

  it('recreates a subscription that expired while the bot was down', async () => {
    world = await startWorld();
    const [first] = world.emulator.subscriptions({ botId: world.botId });
    await world.stop();
    world.clock.set(first!.expiresAt + 1000);
    await world.start();
    const active = world.emulator.subscriptions({ botId: world.botId }).filter((s) => s.status === 'Active' && s.expiresAt > world!.clock.now());
    expect(active).toHaveLength(1);
    expect(active[0]!.id).not.toBe(first!.id);
  });

  it('renews the webhook subscription before it expires', async () => {
    world = await startWorld();
    const [sub] = world.emulator.subscriptions({ botId: world.botId });
    world.clock.set(sub!.expiresAt - 3600_000); // an hour before expiry
    await world.bot.maintain();
    const renewals = world.emulator.requests.filter((r) => r.path === `/restapi/v1.0/subscription/${sub!.id}/renew` || (r.method === 'PUT' && r.path === `/restapi/v1.0/subscription/${sub!.id}`));
    expect(renewals.map((r) => r.status)).toEqual([200]);
    expect(world.emulator.subscriptions({ botId: world.botId })[0]!.expiresAt).toBeGreaterThan(sub!.expiresAt);
  });
});

describe('WebSocket delivery', () => {
  it('receives posts through the real @ringcentral/subscriptions client and answers', async () => {
    world = await startWorld({ env: { RINGCENTRAL_DELIVERY: 'websocket' } });
    const subs = world.emulator.subscriptions({ botId: world.botId });
    expect(subs).toHaveLength(1);
    expect(subs[0]!.transport).toBe('WebSocket');
    expect(world.emulator.requests.some((r) => r.path === '/restapi/oauth/wstoken' && r.status === 200)).toBe(true);
    const dm = await world.dm(world.alice);
    const [reply] = await world.say(world.alice, dm.id, 'help');
    expect(reply?.text).toContain('create app');
    expect(world.emulator.deliveries.some((d) => d.transport === 'WebSocket' && d.eventType === 'PostAdded' && d.outcome === 'delivered')).toBe(true);
  });
});
