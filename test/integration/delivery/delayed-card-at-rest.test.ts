import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver, goodBasics } from '../../helpers/flow.js';
import { scanDataDir } from '../../helpers/scan-data-dir.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('review13: a credentials card RingCentral would not take, at rest and in the logs', () => {
  it('keeps the queued client secret only sealed in DATA_DIR and never in the log', { timeout: 60_000 }, async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], outbox: { baseDelayMs: 60_000 } }));
    const dm = await w.emulator.directChat(w.alice.id, w.botId);
    const flow = flowDriver(w, w.alice, dm.id);
    await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'create app' });
    await w.emulator.waitFor(() => w.botCards(dm.id).length === 1, { message: 'no form card' });
    const cardId = w.botCards(dm.id)[0]!.id;
    await flow.next({ appType: 'rest-api' });
    await flow.next({ ...goodBasics, primaryContact: w.alice.email });
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await flow.next({ scopes: 'ReadMessages', justification: '' });
    await flow.next({ access: 'private', partners: '' });
    await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
    w.emulator.failNext(100, { status: 503 }, { method: 'PUT', pathPrefix: `/team-messaging/v1/adaptive-cards/${cardId}` });
    await flow.click('submit').catch(() => undefined);
    await w.emulator.waitFor(() => w.logs.some((l) => l.includes('the credentials card is delayed')), { message: 'the card was not delayed' });
    const queued = (await w.bot.services.store.collection<{ id: string; sealed?: string; state: string }>('outbox').list()).find((e) => e.id.startsWith('show:'))!;
    expect(queued.state).toBe('pending');
    const secret = /rgr_cs_[0-9A-Za-z]{38}/.exec(w.bot.services.keys.decrypt(queued.sealed!))![0];
    await w.stop();
    const scan = scanDataDir(w.dataDir, { 'client secret': secret });
    expect(scan.leaks).toEqual([]);
    expect(w.logs.filter((l) => l.includes(secret))).toEqual([]);
    expect(w.emulator.card(cardId)!.versions.some((v) => JSON.stringify(v.body).includes(secret))).toBe(false);
  });
});
