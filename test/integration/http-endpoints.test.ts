import { createHmac, randomUUID } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.js';

let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(async () => {
  await world.close();
});

const sign = (secret: string, body: string | Buffer) => createHmac('sha1', secret).update(body).digest('hex');

/** A PostAdded "help" from Alice in `chatId`, as RingCentral would deliver it (a fresh uuid each time). */
function helpDelivery(chatId: string): string {
  return JSON.stringify({
    uuid: randomUUID(),
    event: '/team-messaging/v1/posts',
    subscriptionId: world.emulator.subscriptions()[0]!.id,
    ownerId: world.botId,
    body: { id: randomUUID(), groupId: chatId, creatorId: world.alice.id, text: 'help', mentions: null, eventType: 'PostAdded', type: 'TextMessage' },
  });
}

/** A POST with exactly these headers and no body bytes (supertest would add a Content-Length). */
function rawPost(base: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/bot/webhook`, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('POST /bot/webhook', () => {
  it('echoes the Validation-Token of a request without a body with 200 and an empty body', async () => {
    const res = await request(world.bot.url).post('/bot/webhook').set('Validation-Token', 'probe-123').set('Verification-Token', 'not-ours');
    expect(res.status).toBe(200);
    expect(res.headers['validation-token']).toBe('probe-123');
    expect(res.text).toBe('');
  });

  it('treats a chunked request with no body bytes and a Validation-Token as the handshake too', async () => {
    const { status, headers } = await rawPost(world.bot.url, { 'Validation-Token': 'probe-456', 'Transfer-Encoding': 'chunked' });
    expect(status).toBe(200);
    expect(headers['validation-token']).toBe('probe-456');
  });

  it('acts on a delivery whose token comes in Verification-Token or in Validation-Token', async () => {
    const dm = await world.dm(world.alice);
    for (const header of ['Verification-Token', 'Validation-Token']) {
      const before = world.botTexts(dm.id).length;
      const res = await request(world.bot.url).post('/bot/webhook').set('Content-Type', 'application/json').set(header, world.bot.verificationToken).send(helpDelivery(dm.id));
      expect(res.status).toBe(200);
      expect(res.headers['validation-token']).toBeUndefined(); // a delivery, not a handshake
      await world.emulator.waitFor(() => world.botTexts(dm.id).length === before + 1, { message: `no answer to a delivery with ${header}` });
    }
  });

  it('refuses deliveries without the right token in either header and does nothing', async () => {
    const dm = await world.dm(world.alice);
    const body = helpDelivery(dm.id);
    const wrong = ['', 'wrong-token-wrong-token', `${world.bot.verificationToken}x`];
    const cases: Record<string, string>[] = [
      {},
      ...wrong.map((t) => ({ 'Verification-Token': t })),
      ...wrong.map((t) => ({ 'Validation-Token': t })),
      { 'Validation-Token': 'a-fresh-probe-token', 'Verification-Token': 'wrong-token-wrong-token' },
    ];
    for (const headers of cases) {
      const req = request(world.bot.url).post('/bot/webhook').set('Content-Type', 'application/json');
      for (const [k, v] of Object.entries(headers)) req.set(k, v);
      const res = await req.send(body);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers['validation-token']).toBeUndefined();
    }
    const ok = await request(world.bot.url).post('/bot/webhook').set('Content-Type', 'application/json').set('Verification-Token', world.bot.verificationToken).send(body);
    expect(ok.status).toBe(200);
    await world.emulator.waitFor(() => world.botTexts(dm.id).length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(world.botTexts(dm.id)).toHaveLength(1); // only the verified delivery was acted on
  });

  it('acts once on the same notification delivered twice', async () => {
    const dm = await world.dm(world.alice);
    const body = JSON.stringify({
      uuid: 'same-uuid',
      event: '/team-messaging/v1/posts',
      ownerId: world.botId,
      body: { id: '1', groupId: dm.id, creatorId: world.alice.id, text: 'help', mentions: null, eventType: 'PostAdded' },
    });
    for (let i = 0; i < 2; i++) {
      await request(world.bot.url).post('/bot/webhook').set('Content-Type', 'application/json').set('Verification-Token', world.bot.verificationToken).send(body);
    }
    await world.emulator.waitFor(() => world.botTexts(dm.id).length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(world.botTexts(dm.id)).toHaveLength(1);
  });
});

describe('handled event ids', () => {
  it('are not recorded for events the bot ignores: team posts not meant for it, their edits and removals', async () => {
    const team = await world.emulator.createChat({ accountId: world.account.id, type: 'Team', name: 'Lunch', members: [world.alice.id, world.bob.id, world.botId] });
    const seen = world.bot.services.store.collection<{ at: number }>('seen-notifications');
    // The bot's joining is an event it records: wait until it has greeted the team (recorded first).
    await world.emulator.waitFor(() => world.botTexts(team.id).length >= 1, { message: 'no greeting in the team' });
    await world.emulator.settle();
    await new Promise((r) => setTimeout(r, 100));
    const before = await seen.count();
    const greeted = world.botTexts(team.id).length; // the hello on joining
    const deliver = (uuid: string, body: Record<string, unknown>) =>
      request(world.bot.url)
        .post('/bot/webhook')
        .set('Content-Type', 'application/json')
        .set('Verification-Token', world.bot.verificationToken)
        .send(JSON.stringify({ uuid, event: '/team-messaging/v1/posts', ownerId: world.botId, body }))
        .expect(200);
    const post = { id: 'p-lunch', groupId: team.id, creatorId: world.alice.id, type: 'TextMessage', mentions: null };
    await deliver('ignored-add', { ...post, text: 'lunch?', eventType: 'PostAdded' });
    for (let i = 0; i < 5; i++) await deliver(`ignored-change-${i}`, { ...post, text: `lunch? ${i}`, eventType: 'PostChanged' });
    await deliver('ignored-remove', { id: 'p-lunch', groupId: team.id, eventType: 'PostRemoved' });
    await new Promise((r) => setTimeout(r, 100));
    expect(await seen.count()).toBe(before);
    expect(world.botTexts(team.id)).toHaveLength(greeted);
  });

  it('are kept long enough to spot redeliveries and pruned after a day', async () => {
    const dm = await world.dm(world.alice);
    await world.say(world.alice, dm.id, 'help');
    // Let every notification still on its way (echoes, chat events) be handled before time moves.
    await world.emulator.settle();
    await new Promise((r) => setTimeout(r, 100));
    const seen = world.bot.services.store.collection<{ at: number }>('seen-notifications');
    expect((await seen.list()).length).toBeGreaterThan(0);
    world.clock.advance(23 * 3600_000);
    await world.bot.sweep();
    expect((await seen.list()).length).toBeGreaterThan(0);
    world.clock.advance(2 * 3600_000);
    await world.bot.sweep();
    expect(await seen.list()).toEqual([]);
  });
});

describe('POST /bot/interactive', () => {
  /** A click on a button the bot does not know: when processed, the bot says so in the chat. */
  async function unknownClick(uuid: string = randomUUID()) {
    const dm = await world.dm(world.alice);
    const body = JSON.stringify({
      uuid,
      timestamp: new Date().toISOString(),
      type: 'button_submit',
      appId: world.app.clientId,
      user: { id: world.alice.id, extId: world.alice.id, firstName: 'Alice', lastName: 'Archer', accountId: world.account.id },
      conversation: { id: dm.id, type: 'DM' },
      card: { id: 'card-1' },
      bot: { id: world.botId },
      data: { action: 'no-such-action' },
    });
    return { dm, body };
  }
  const send = (body: string | Buffer, signature?: string) => {
    const req = request(world.bot.url).post('/bot/interactive').set('Content-Type', 'application/json');
    if (signature !== undefined) req.set('X-Glip-Signature', signature);
    return req.send(body);
  };

  it('accepts the bare hex signature and the sha1= form, and processes the click', async () => {
    const { dm, body } = await unknownClick();
    expect((await send(body, sign(world.app.sharedSecret, body))).status).toBe(200);
    const second = await unknownClick();
    expect((await send(second.body, `sha1=${sign(world.app.sharedSecret, second.body)}`)).status).toBe(200);
    await world.emulator.waitFor(() => world.botTexts(dm.id).length === 2);
    expect(world.botTexts(dm.id)[0]).toMatch(/not one I know/);
  });

  it('refuses bad signatures with 401 and processes nothing', async () => {
    const { dm, body } = await unknownClick();
    const good = sign(world.app.sharedSecret, body);
    const flipped = Buffer.from(body);
    flipped[20] = flipped[20]! ^ 1;
    const cases: [string | Buffer, string | undefined][] = [
      [flipped, good],
      [body, sign('the-wrong-secret', body)],
      [body, undefined],
      [body, ''],
      [body, good.slice(0, 20)],
      [body, `${good}00`],
      [body, `${good.slice(0, 39)}z`],
      [body, 'sha1='],
    ];
    for (const [payload, signature] of cases) expect((await send(payload, signature)).status).toBe(401);
    // The process is still up and still answers a good request.
    expect((await request(world.bot.url).get('/healthz')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(world.botTexts(dm.id)).toHaveLength(0);
  });

  it('acts once when the same event uuid arrives twice', async () => {
    const { dm, body } = await unknownClick('dup-uuid');
    const signature = sign(world.app.sharedSecret, body);
    const [a, b] = await Promise.all([send(body, signature), send(body, signature)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await world.emulator.waitFor(() => world.botTexts(dm.id).length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(world.botTexts(dm.id)).toHaveLength(1);
  });

  it('answers 200 to a signed request whose handling fails', async () => {
    const body = JSON.stringify({ uuid: randomUUID(), type: 'button_submit', user: { id: 'nobody' }, data: {} });
    expect((await send(body, sign(world.app.sharedSecret, body))).status).toBe(200);
  });
});
