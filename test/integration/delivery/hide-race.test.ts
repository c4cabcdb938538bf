import { afterEach, describe, expect, it } from 'vitest';
import { cardText } from '../../../src/cards/inspect-card.js';
import { flowDriver, goodBasics } from '../../helpers/flow.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('review13: a credentials card RingCentral is slow to take, and the hiding time', () => {
  it('never shows the client secret after its hiding time, even when the showing change lands late', { timeout: 60_000 }, async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], env: { SECRET_REVEAL_SECONDS: '60' } }));
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
    // The card change that shows the credentials is slow to be taken (8 s; the client waits 15 s).
    w.emulator.failNext(1, { delayMs: 8_000 }, { method: 'PUT', pathPrefix: `/team-messaging/v1/adaptive-cards/${cardId}` });
    void flow.click('submit').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1_500));
    // Meanwhile the hiding time passes (the hider runs on its own timer every second).
    w.clock.advance(61_000);
    await new Promise((r) => setTimeout(r, 10_000));
    const versions = w.emulator.card(cardId)!.versions.map((v) => cardText(v.body));
    // The hider did draw the hidden card ...
    expect(versions.some((t) => /App registered/.test(t) && !/rgr_cs_/.test(t))).toBe(true);
    // ... and nothing is left to hide it again: the secret must not be what the card shows now.
    expect(await w.bot.services.store.collection('reveals').list()).toEqual([]);
    expect(versions.at(-1)).not.toMatch(/rgr_cs_/);
  });
});
