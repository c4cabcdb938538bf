import { SDK } from '@ringcentral/sdk';
import { Subscriptions } from '@ringcentral/subscriptions';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWorld, type World } from './helpers.js';

let world: World;

afterEach(async () => {
  await world.close();
});

/** What `register()` resolves to: the @rc-ex/ws Subscription (typed loosely by the package). */
interface WsSubscription {
  subscriptionInfo: { id: string; eventFilters: string[]; deliveryMode: { transportType: string } };
  wse: { revoke(): Promise<void> };
}

describe('WebSocket delivery with the real @ringcentral/subscriptions client', () => {
  it('registers over the socket and receives PostAdded for a user post', async () => {
    world = await startWorld();
    const sdk = new SDK({
      server: world.emulator.url,
      clientId: world.app.clientId,
      clientSecret: world.app.clientSecret,
      cachePrefix: 'ws-test',
    });
    await sdk.platform().auth().setData({
      token_type: 'bearer',
      access_token: world.token,
      expires_in: '2147483647',
      refresh_token_expires_in: '2147483647',
    });
    const subscriptions = new Subscriptions({ sdk });
    const subscription = subscriptions.createSubscription();
    const received: Record<string, unknown>[] = [];
    subscription.on(subscription.events.notification, (event: Record<string, unknown>) => received.push(event));

    const wsSub = (await subscription.setEventFilters(['/team-messaging/v1/posts']).register()) as unknown as WsSubscription;
    try {
      expect(wsSub.subscriptionInfo.deliveryMode.transportType).toBe('WebSocket');
      expect(world.emulator.subscriptions({ botId: world.botId })).toMatchObject([
        { id: wsSub.subscriptionInfo.id, transport: 'WebSocket' },
      ]);
      const members = [world.alice.id, world.botId];
      const chat = await world.emulator.createChat({ accountId: world.accountId, type: 'Direct', members });

      const post = await world.emulator.post({ chatId: chat.id, personId: world.alice.id, text: 'hello over ws' });

      const event = await world.emulator.waitFor(() => received.find((e) => (e.body as { id?: string }).id === post.id));
      expect(event).toMatchObject({
        event: '/team-messaging/v1/posts',
        subscriptionId: wsSub.subscriptionInfo.id,
        ownerId: world.botId,
        body: { eventType: 'PostAdded', text: 'hello over ws', groupId: chat.id, mentions: null },
      });
      const overSocket = world.emulator.requests.filter((r) => r.transport === 'ws').map((r) => `${r.method} ${r.path}`);
      expect(overSocket).toEqual(['GET /ws', 'POST /restapi/v1.0/subscription']);
    } finally {
      await wsSub.wse.revoke();
    }
    await world.emulator.waitFor(() => world.emulator.subscriptions().length === 0, { message: 'revoke should delete the subscription' });
  });
});

describe('the WebSocket gateway', () => {
  async function wsToken(w: World): Promise<{ uri: string; token: string }> {
    const res = await w.api('/restapi/oauth/wstoken', { method: 'POST' });
    const { uri, ws_access_token: token, expires_in: expiresIn } = (await res.json()) as Record<string, string>;
    expect(uri).toBe(`${w.emulator.url.replace('http', 'ws')}/ws`);
    expect(expiresIn).toBe(30); // D websockets/subscribing.md example
    return { uri: uri!, token: token! };
  }

  async function open(url: string): Promise<{ ws: WebSocket; frames: unknown[][] }> {
    const ws = new WebSocket(url);
    const frames: unknown[][] = [];
    ws.on('message', (data: WebSocket.RawData) => frames.push(JSON.parse(data.toString()) as unknown[]));
    await new Promise((resolve) => ws.once('open', resolve));
    return { ws, frames };
  }

  async function connect(w: World, query = ''): Promise<{ ws: WebSocket; frames: unknown[][] }> {
    const { uri, token } = await wsToken(w);
    return open(`${uri}?access_token=${token}${query}`);
  }

  it('sends ConnectionDetails first, answers Heartbeat and ClientRequest by messageId', async () => {
    world = await startWorld();
    const { ws, frames } = await connect(world);
    await world.emulator.waitFor(() => frames.length >= 1);
    expect(frames[0]?.[0]).toMatchObject({ type: 'ConnectionDetails', status: 200, wsc: { sequence: 1 } });
    expect(frames[0]?.[1]).toMatchObject({ recoveryTimeout: 180, idleTimeout: 1800 });

    ws.send(JSON.stringify([{ type: 'Heartbeat', messageId: 'hb-1' }]));
    ws.send(
      JSON.stringify([
        { type: 'ClientRequest', messageId: 'm-1', method: 'POST', path: '/restapi/v1.0/subscription', headers: {} },
        { deliveryMode: { transportType: 'WebSocket' }, eventFilters: ['/team-messaging/v1/bogus'] },
      ]),
    );
    await world.emulator.waitFor(() => frames.length >= 3);
    ws.close();

    expect(frames[1]?.[0]).toMatchObject({ type: 'Heartbeat', messageId: 'hb-1' });
    expect(frames[2]).toMatchObject([{ type: 'ClientRequest', messageId: 'm-1', status: 400 }, { errorCode: 'SUB-508' }]);
  });

  it('recovers a session reconnecting with its wsc token and replays the notifications it missed', async () => {
    world = await startWorld();
    const chat = await world.emulator.createChat({ accountId: world.accountId, type: 'Direct', members: [world.alice.id, world.botId] });
    const first = await connect(world);
    first.ws.send(
      JSON.stringify([
        { type: 'ClientRequest', messageId: 'm-1', method: 'POST', path: '/restapi/v1.0/subscription', headers: {} },
        { deliveryMode: { transportType: 'WebSocket' }, eventFilters: ['/team-messaging/v1/posts'] },
      ]),
    );
    await world.emulator.waitFor(() => first.frames.length >= 2);
    const wsc = (first.frames[0]?.[0] as { wsc: { token: string } }).wsc.token;
    first.ws.close();
    await world.emulator.waitFor(() => first.ws.readyState === WebSocket.CLOSED);

    await world.emulator.post({ chatId: chat.id, personId: world.alice.id, text: 'while away' });
    await world.emulator.post({ chatId: chat.id, personId: world.alice.id, text: 'still away' });
    expect(world.emulator.deliveries.slice(-2).map((d) => d.outcome)).toEqual(['buffered', 'buffered']);
    const second = await connect(world, `&wsc=${wsc}`);
    await world.emulator.waitFor(() => second.frames.length >= 3);
    second.ws.close();

    expect(second.frames[0]?.[1]).toMatchObject({ recoveryState: 'Successful' });
    expect(second.frames.slice(1)).toMatchObject([
      [{ type: 'ServerNotification' }, { body: { text: 'while away' } }],
      [{ type: 'ServerNotification' }, { body: { text: 'still away' } }],
    ]);
  });

  it('fails a ClientRequest over the socket like an HTTP request when a fault is armed for its path', async () => {
    world = await startWorld();
    world.emulator.failNext(1, { status: 503 }, { method: 'POST', pathPrefix: '/restapi/v1.0/subscription' });
    const { ws, frames } = await connect(world);
    const request = (messageId: string) =>
      JSON.stringify([
        { type: 'ClientRequest', messageId, method: 'POST', path: '/restapi/v1.0/subscription', headers: {} },
        { deliveryMode: { transportType: 'WebSocket' }, eventFilters: ['/team-messaging/v1/posts'] },
      ]);

    ws.send(request('m-1'));
    await world.emulator.waitFor(() => frames.length >= 2);
    ws.send(request('m-2'));
    await world.emulator.waitFor(() => frames.length >= 3);
    ws.close();

    expect(frames[1]).toMatchObject([{ type: 'ClientRequest', messageId: 'm-1', status: 503 }, { errorCode: 'CMN-201' }]);
    expect(frames[2]).toMatchObject([{ type: 'ClientRequest', messageId: 'm-2', status: 200 }, { deliveryMode: { transportType: 'WebSocket' } }]);
  });

  it('refuses a second connection with a ws_access_token already used, with an Error frame', async () => {
    world = await startWorld();
    const { uri, token } = await wsToken(world);
    const first = await open(`${uri}?access_token=${token}`);
    await world.emulator.waitFor(() => first.frames.length >= 1);

    const second = await open(`${uri}?access_token=${token}`);
    await world.emulator.waitFor(() => second.ws.readyState === WebSocket.CLOSED, { message: 'a reused token was accepted' });
    first.ws.close();

    expect(first.frames[0]?.[0]).toMatchObject({ type: 'ConnectionDetails' });
    expect(second.frames).toMatchObject([[{ type: 'Error', status: 401 }, { errorCode: 'OAU-129' }]]);
  });

  it('counts open connections per bot and cuts them like a network failure, keeping the session recoverable', async () => {
    world = await startWorld();
    const first = await connect(world);
    await world.emulator.waitFor(() => first.frames.length >= 1);
    expect(world.emulator.openWebSockets({ botId: world.botId })).toBe(1);
    expect(world.emulator.openWebSockets({ botId: 'someone-else' })).toBe(0);

    expect(world.emulator.dropWebSockets({ botId: world.botId })).toBe(1);
    await world.emulator.waitFor(() => first.ws.readyState === WebSocket.CLOSED);
    expect(world.emulator.openWebSockets()).toBe(0);
    const wsc = (first.frames[0]?.[0] as { wsc: { token: string } }).wsc.token;
    const second = await connect(world, `&wsc=${wsc}`);
    await world.emulator.waitFor(() => second.frames.length >= 1);
    second.ws.close();

    expect(second.frames[0]?.[1]).toMatchObject({ recoveryState: 'Successful' });
  });

  it('refuses a connection with an unknown ws_access_token with an Error frame', async () => {
    world = await startWorld();
    const ws = new WebSocket(`${world.emulator.url.replace('http', 'ws')}/ws?access_token=nope`);
    const first = await new Promise<unknown[]>((resolve) =>
      ws.once('message', (d: WebSocket.RawData) => resolve(JSON.parse(d.toString()) as unknown[])),
    );
    await new Promise((resolve) => ws.once('close', resolve));

    expect(first[0]).toMatchObject({ type: 'Error', status: 401 });
  });
});
