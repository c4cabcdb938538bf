import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { eventBodies, notifications, startReceiver, startWorld, type Receiver, type World } from './helpers.js';

describe('statePath', () => {
  let dir = '';
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps accounts, tokens, chats, posts, cards and subscriptions across a restart, in a 0600 file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-state-'));
    const statePath = join(dir, 'state.json');
    const world = await startWorld({ statePath });
    cleanups.push(() => world.receiver.close());
    const sub = (await (await world.subscribe(['/team-messaging/v1/posts'])).json()) as { id: string };
    const members = [world.alice.id, world.botId];
    const chat = await world.emulator.createChat({ accountId: world.accountId, type: 'Team', name: 'Ops', members });
    await world.emulator.post({ chatId: chat.id, personId: world.alice.id, text: 'before restart' });
    const cardRes = await world.api(`/team-messaging/v1/chats/${chat.id}/adaptive-cards`, {
      body: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'kept' }] },
    });
    const { id: cardId } = (await cardRes.json()) as { id: string };
    await world.emulator.settle();
    await world.emulator.close();

    expect((await stat(statePath)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(statePath, 'utf8'))).toMatchObject({ version: 1 });

    const restarted: Emulator = await startEmulator({ statePath });
    cleanups.push(() => restarted.close());
    const ext = await fetch(`${restarted.url}/restapi/v1.0/account/~/extension/~`, {
      headers: { Authorization: `Bearer ${world.token}` },
    });
    expect(ext.status).toBe(200);
    expect(restarted.chat(chat.id)?.name).toBe('Ops');
    expect(restarted.posts({ chatId: chat.id }).map((p) => p.text)).toEqual(['before restart', null]);
    expect(restarted.card(cardId)?.body.body).toEqual([{ type: 'TextBlock', text: 'kept' }]);
    expect(restarted.subscriptions().map((s) => s.id)).toEqual([sub.id]);

    // The restored subscription still delivers (the receiver outlived the first emulator).
    await restarted.post({ chatId: chat.id, personId: world.alice.id, text: 'after restart' });
    expect(eventBodies(world.receiver, 'PostAdded').map((b) => b.text)).toContain('after restart');
  });
});

describe('uninstalling a bot', () => {
  let world: World | undefined;
  let receiver: Receiver | undefined;

  afterEach(async () => {
    await world?.close();
    await receiver?.close();
  });

  it('delivers the extension Delete event first, then the token fails with 401 CMN-405', async () => {
    world = await startWorld();
    const w = world;
    await w.subscribe(['/team-messaging/v1/posts', '/restapi/v1.0/account/~/extension/~']);
    await w.emulator.settle();
    let tokenWorkedDuringDelete: number | undefined;
    w.receiver.handle(async (req) => {
      if (req.rawBody.includes('"Delete"')) {
        tokenWorkedDuringDelete = (await w.api('/restapi/v1.0/account/~/extension/~')).status;
      }
      return 'default' as const;
    });

    await w.emulator.uninstallBot({ clientId: w.app.clientId, accountId: w.accountId });

    const deleteEvent = notifications(w.receiver).find((n) => (n.body.body as { eventType?: string }).eventType === 'Delete');
    expect(deleteEvent?.body).toMatchObject({
      event: `/restapi/v1.0/account/~/extension/${w.botId}`,
      ownerId: w.botId,
      body: { extensionId: w.botId, eventType: 'Delete', ownerId: w.botId },
    });
    expect(tokenWorkedDuringDelete).toBe(200);
    const after = await w.api('/restapi/v1.0/account/~/extension/~');
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ errorCode: 'CMN-405' });
    expect(w.emulator.subscriptions()).toEqual([]);
    expect(w.emulator.bot(w.botId)?.status).toBe('Deleted');
  });

  it('lets the app be installed again afterwards with a new bot and token', async () => {
    world = await startWorld();
    await world.emulator.uninstallBot({ clientId: world.app.clientId, accountId: world.accountId });

    const again = await world.emulator.installBot({
      clientId: world.app.clientId,
      accountId: world.accountId,
      installerId: world.alice.id,
    });

    expect(again.botId).not.toBe(world.botId);
    expect((await world.api('/restapi/v1.0/account/~/extension/~', { token: again.accessToken })).status).toBe(200);
  });

  it('reports an install whose redirect URI does not answer with status 0 and the error', async () => {
    const emulator = await startEmulator();
    receiver = await startReceiver();
    await receiver.close(); // nothing listens at this URL any more
    try {
      const account = emulator.createAccount();
      const alice = emulator.addPerson({ accountId: account.id, firstName: 'A', lastName: 'B', email: 'a@b.test' });
      const app = emulator.registerApp({ name: 'X', kind: 'private', redirectUri: `${receiver.url}/oauth` });

      const result = await emulator.installBot({ clientId: app.clientId, accountId: account.id, installerId: alice.id });

      expect(result.status).toBe(0);
      expect(result.error).toMatch(/ECONNREFUSED/);
    } finally {
      await emulator.close();
      receiver = undefined;
    }
  });
});
