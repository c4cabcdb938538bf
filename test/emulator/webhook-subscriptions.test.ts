import { afterEach, describe, expect, it } from 'vitest';
import { answerLikeABot, eventBodies, notifications, startWorld, type World } from './helpers.js';

let world: World;

afterEach(async () => {
  await world.close();
});

describe('creating a WebHook subscription', () => {
  it('probes the address with a Validation-Token and answers SubscriptionInfo once it is echoed', async () => {
    world = await startWorld();
    const res = await world.subscribe(['/team-messaging/v1/posts'], { verificationToken: 'vt-123' });

    expect(res.status).toBe(200);
    const info = (await res.json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      eventFilters: ['/team-messaging/v1/posts'],
      status: 'Active',
      expiresIn: 604800,
      deliveryMode: { transportType: 'WebHook', address: `${world.receiver.url}/webhook`, encryption: false },
    });
    expect(info.uri).toBe(`${world.emulator.url}/restapi/v1.0/subscription/${String(info.id)}`);
    const probe = world.receiver.received.find((r) => r.path === '/webhook');
    expect(probe?.method).toBe('POST');
    expect(probe?.headers['validation-token']).toMatch(/\S+/);
    expect(probe?.headers['verification-token']).toBe('vt-123');
    expect(probe?.headers['content-length']).toBe('0');
    expect(probe?.rawBody).toBe('');
  });

  it('fails with SUB-525 and creates nothing when the receiver does not echo the header', async () => {
    world = await startWorld();
    world.receiver.handle((_req, res) => {
      res.statusCode = 200;
      res.end();
    });

    const res = await world.subscribe();

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errorCode: 'SUB-525', errors: [{ errorCode: 'SUB-525' }] });
    expect(world.emulator.subscriptions()).toEqual([]);
  });

  it('fails with SUB-525 when the receiver answers after the handshake timeout', async () => {
    world = await startWorld({ handshakeTimeoutMs: 150 });
    world.receiver.handle(async (req, res) => {
      await new Promise((r) => setTimeout(r, 400));
      answerLikeABot(req, res);
    });

    const res = await world.subscribe();

    expect(res.status).toBe(400);
    expect(((await res.json()) as { errorCode: string }).errorCode).toBe('SUB-525');
    expect(world.emulator.subscriptions()).toEqual([]);
  });

  it('fails with SUB-525 when the handshake response is larger than 1024 bytes', async () => {
    world = await startWorld();
    world.receiver.handle((req, res) => {
      res.setHeader('Validation-Token', String(req.headers['validation-token']));
      res.end('x'.repeat(2000));
    });

    expect((await world.subscribe()).status).toBe(400);
  });

  it('rejects an unknown event filter with SUB-508', async () => {
    world = await startWorld();
    const res = await world.subscribe(['/team-messaging/v1/posts', '/restapi/v1.0/account/~/presence']);

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errorCode: 'SUB-508' });
  });

  it('fails with SUB-406 for the configured number of attempts right after install', async () => {
    world = await startWorld();
    const account = world.emulator.createAccount();
    const carol = world.emulator.addPerson({ accountId: account.id, firstName: 'Carol', lastName: 'K', email: 'c@x.test' });
    const installed = await world.emulator.installBot({
      clientId: world.app.clientId,
      accountId: account.id,
      installerId: carol.id,
      subscribeFailures: 2,
    });
    const attempt = () =>
      world.api('/restapi/v1.0/subscription', {
        token: installed.accessToken,
        body: {
          eventFilters: ['/team-messaging/v1/posts'],
          deliveryMode: { transportType: 'WebHook', address: `${world.receiver.url}/webhook` },
        },
      });

    const first = await attempt();
    expect(first.status).toBe(403);
    expect(await first.json()).toMatchObject({ errorCode: 'SUB-406' });
    expect((await attempt()).status).toBe(403);
    expect((await attempt()).status).toBe(200);
  });
});

describe('WebHook notifications', () => {
  it('carry the Verification-Token and RingCentral headers, and the install-time welcome events', async () => {
    world = await startWorld();
    await world.subscribe(
      ['/team-messaging/v1/posts', '/team-messaging/v1/chats', '/restapi/v1.0/account/~/extension/~'],
      { verificationToken: 'secret-vt' },
    );

    const joined = await world.emulator.waitFor(() => {
      const bodies = eventBodies(world.receiver, 'GroupJoined');
      return bodies.length === 2 ? bodies : undefined;
    });

    expect(joined.map((b) => b.type).sort()).toEqual(['Everyone', 'PersonalChat']);
    const [first] = notifications(world.receiver);
    expect(first?.headers['verification-token']).toBe('secret-vt');
    expect(first?.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(first?.headers['user-agent']).toBe('RingCentral-Webhook/8.3');
    expect(first?.body).toMatchObject({
      event: `/restapi/v1.0/account/~/extension/${world.botId}`,
      ownerId: world.botId,
      body: { extensionId: world.botId, eventType: 'Create' },
    });
  });

  it('carry the token in Validation-Token instead when deliveryTokenHeader says so, as newer docs describe', async () => {
    world = await startWorld({ deliveryTokenHeader: 'Validation-Token' });
    await world.subscribe(['/team-messaging/v1/posts'], { verificationToken: 'secret-vt' });
    const chat = await world.emulator.createChat({ accountId: world.accountId, type: 'Group', members: [world.alice.id, world.bob.id, world.botId] });
    await world.emulator.post({ chatId: chat.id, personId: world.alice.id, text: 'hello' });
    const [delivery] = notifications(world.receiver);
    expect(delivery?.headers['validation-token']).toBe('secret-vt');
    expect(delivery?.headers['verification-token']).toBeUndefined();
    // The handshake itself is unchanged: a fresh Validation-Token, the token in Verification-Token, no body.
    const probe = world.receiver.received.find((r) => r.path === '/webhook' && r.rawBody.length === 0);
    expect(probe?.headers['validation-token']).not.toBe('secret-vt');
    expect(probe?.headers['verification-token']).toBe('secret-vt');
  });

  it('stop when the subscription is blacklisted', async () => {
    world = await startWorld();
    const info = (await (await world.subscribe(['/team-messaging/v1/posts'])).json()) as { id: string };
    const chat = await world.emulator.createChat({ accountId: world.accountId, type: 'Group', members: [world.alice.id, world.botId] });

    world.emulator.blacklist(info.id, 'Read timed out');
    await world.emulator.post({ chatId: chat.id, personId: world.alice.id, text: 'hello' });

    expect(eventBodies(world.receiver, 'PostAdded')).toEqual([]);
    const got = (await (await world.api(`/restapi/v1.0/subscription/${info.id}`)).json()) as Record<string, unknown>;
    expect(got).toMatchObject({ status: 'Blacklisted', blacklistedData: { reason: 'Read timed out' } });
  });

  it('stop after expiry, and the expired subscription answers 404 SUB-507', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    world = await startWorld({ now: () => now });
    const info = (await (await world.subscribe(['/team-messaging/v1/posts'], {}, { expiresIn: 60 })).json()) as {
      id: string;
      expirationTime: string;
    };
    expect(info.expirationTime).toBe('2030-01-01T00:01:00.000Z');
    const chat = await world.emulator.createChat({ accountId: world.accountId, type: 'Group', members: [world.alice.id, world.botId] });

    now += 61_000;
    await world.emulator.post({ chatId: chat.id, personId: world.alice.id, text: 'too late' });

    expect(eventBodies(world.receiver, 'PostAdded')).toEqual([]);
    const res = await world.api(`/restapi/v1.0/subscription/${info.id}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ errorCode: 'SUB-507' });
  });

  it('renewal by PUT and by POST /renew moves the expiration time forward', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    world = await startWorld({ now: () => now });
    const info = (await (await world.subscribe()).json()) as { id: string };

    now += 1000;
    const path = `/restapi/v1.0/subscription/${info.id}`;
    const put = (await (await world.api(path, { method: 'PUT', body: { expiresIn: 120 } })).json()) as {
      expirationTime: string;
    };
    expect(put.expirationTime).toBe('2030-01-01T00:02:01.000Z');
    now += 1000;
    const renewed = (await (await world.api(`/restapi/v1.0/subscription/${info.id}/renew`, { method: 'POST' })).json()) as {
      expirationTime: string;
    };
    expect(renewed.expirationTime).toBe('2030-01-01T00:02:02.000Z');
  });

  it('send renewal reminders from threshold seconds before expiry, every interval seconds', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    world = await startWorld({ now: () => now });
    const reminder = '/restapi/v1.0/subscription/~?threshold=60&interval=15';
    const info = (await (await world.subscribe([reminder], {}, { expiresIn: 300 })).json()) as { id: string };
    const reminders = () => notifications(world.receiver).filter((n) => n.body.event === reminder);

    now += 200_000; // 100 s before expiry: too early
    await world.emulator.tick();
    expect(reminders()).toHaveLength(0);
    now += 41_000; // 59 s before expiry
    await world.emulator.tick();
    now += 5_000; // within the interval: no repeat
    await world.emulator.tick();
    now += 15_000;
    await world.emulator.tick();

    expect(reminders()).toHaveLength(2);
    expect(reminders()[0]?.body).toMatchObject({ subscriptionId: info.id, body: { id: info.id, expiresIn: 59 } });
  });

  it('are private to the owning bot: another bot gets 404 for the subscription', async () => {
    world = await startWorld();
    const info = (await (await world.subscribe()).json()) as { id: string };
    const other = world.emulator.registerApp({ name: 'Other', kind: 'private', redirectUri: `${world.receiver.url}/oauth` });
    const installed = await world.emulator.installBot({
      clientId: other.clientId,
      accountId: world.accountId,
      installerId: world.bob.id,
    });

    const res = await world.api(`/restapi/v1.0/subscription/${info.id}`, { token: installed.accessToken });

    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ errorCode: 'CMN-102' });
    expect((await world.api(`/restapi/v1.0/subscription/${info.id}`, { method: 'DELETE' })).status).toBe(204);
  });
});
