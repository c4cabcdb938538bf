import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from './helpers.js';

let world: World;

afterEach(async () => {
  await world.close();
});

describe('Bearer enforcement', () => {
  it('accepts the lowercase "bearer" scheme the JS SDK sends', async () => {
    world = await startWorld();
    const res = await world.api('/restapi/v1.0/account/~/extension/~', { scheme: 'bearer' });

    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: number }).id).toBe(Number(world.botId));
  });

  it('rejects a missing Authorization header with 401 CMN-405 and an unknown token with 401 OAU-129', async () => {
    world = await startWorld();

    const missing = await world.api('/team-messaging/v1/persons/1', { token: null });
    const unknown = await world.api('/team-messaging/v1/persons/1', { token: 'nope' });

    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      errorCode: 'CMN-405',
      message: 'Login to extension required.',
      errors: [{ errorCode: 'CMN-405', message: 'Login to extension required.' }],
    });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ errorCode: 'OAU-129' });
  });

  it('records requests with the Authorization header redacted', async () => {
    world = await startWorld();
    await world.api('/restapi/v1.0/account/~/extension/~');

    const recorded = world.emulator.requests.find((r) => r.path === '/restapi/v1.0/account/~/extension/~');
    expect(recorded).toMatchObject({ method: 'GET', status: 200, transport: 'http' });
    expect(recorded?.headers.authorization).toBe('Bearer [redacted]');
    expect(JSON.stringify(world.emulator.requests)).not.toContain(world.token);
  });

  it('sets X-Rate-Limit headers on REST responses', async () => {
    world = await startWorld();
    const light = await world.api('/restapi/v1.0/account/~/extension/~');
    const medium = await world.api('/restapi/v1.0/subscription', { body: {} });

    expect(light.headers.get('x-rate-limit-group')).toBe('light');
    expect(light.headers.get('x-rate-limit-limit')).toBe('50');
    expect(light.headers.get('x-rate-limit-remaining')).toBe('49');
    expect(light.headers.get('x-rate-limit-window')).toBe('60');
    expect(medium.headers.get('x-rate-limit-group')).toBe('medium');
  });
});

describe('fault injection', () => {
  it('answers 429 CMN-301 with Retry-After and rate-limit headers, then recovers', async () => {
    world = await startWorld();
    world.emulator.failNext(1, { status: 429, retryAfter: 7 });

    const limited = await world.api('/restapi/v1.0/account/~/extension/~');
    const next = await world.api('/restapi/v1.0/account/~/extension/~');

    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(limited.headers.get('x-rate-limit-group')).toBe('light');
    expect(await limited.json()).toMatchObject({ errorCode: 'CMN-301', errors: [{ errorCode: 'CMN-301' }] });
    expect(next.status).toBe(200);
  });

  it('answers 503 only for requests matching method and path prefix', async () => {
    world = await startWorld();
    const chat = await world.emulator.createChat({ accountId: world.accountId, type: 'Group', members: [world.alice.id, world.botId] });
    world.emulator.failNext(2, { status: 503 }, { method: 'POST', pathPrefix: '/team-messaging/v1/chats/' });

    const read = await world.api(`/team-messaging/v1/chats/${chat.id}`);
    const first = await world.api(`/team-messaging/v1/chats/${chat.id}/posts`, { body: { text: 'a' } });
    const second = await world.api(`/team-messaging/v1/chats/${chat.id}/posts`, { body: { text: 'b' } });
    const third = await world.api(`/team-messaging/v1/chats/${chat.id}/posts`, { body: { text: 'c' } });

    expect([read.status, first.status, second.status, third.status]).toEqual([200, 503, 503, 201]);
    expect(await first.json()).toMatchObject({ errorCode: 'CMN-201' });
    expect(world.emulator.posts({ chatId: chat.id }).map((p) => p.text)).toEqual(['c']);
  });

  it('delays an answer so that a client timeout fires, and only once', async () => {
    world = await startWorld();
    world.emulator.failNext(1, { delayMs: 2000 });
    const request = () =>
      fetch(`${world.emulator.url}/restapi/v1.0/account/~/extension/~`, {
        headers: { Authorization: `Bearer ${world.token}` },
        signal: AbortSignal.timeout(200),
      });

    await expect(request()).rejects.toThrow(/timeout|abort/i);
    const next = await request();

    expect(next.status).toBe(200);
  });

  it('answers 401 OAU-129 once on the WebSocket token call, and issues a token after it', async () => {
    world = await startWorld();
    world.emulator.failNext(1, { status: 401 }, { method: 'POST', pathPrefix: '/restapi/oauth/wstoken' });

    const refused = await world.api('/restapi/oauth/wstoken', { method: 'POST' });
    const issued = await world.api('/restapi/oauth/wstoken', { method: 'POST' });

    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ errorCode: 'OAU-129', errors: [{ errorCode: 'OAU-129' }] });
    expect(issued.status).toBe(200);
    expect(await issued.json()).toMatchObject({ ws_access_token: expect.any(String) as unknown });
  });

  it('never applies to the /_emulator control routes', async () => {
    world = await startWorld();
    world.emulator.failNext(1, { status: 500 });

    const control = await fetch(`${world.emulator.url}/_emulator/state`);
    const rest = await world.api('/restapi/v1.0/account/~/extension/~');

    expect(control.status).toBe(200);
    expect(rest.status).toBe(500);
    expect(await rest.json()).toMatchObject({ errorCode: 'CMN-203' });
  });
});
