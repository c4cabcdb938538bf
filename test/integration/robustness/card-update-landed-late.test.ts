import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver } from '../../helpers/flow.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const dialogTitle = (r: { body: unknown }) => (r.body as { dialog?: { title?: string } } | null)?.dialog?.title;

describe('a card update that timed out but landed at RingCentral, then failed on retry (issue 5: the card must keep answering)', () => {
  it('leaves a card that still answers, not "moved on" with no newer card', { timeout: 60_000 }, async () => {
    const w = (world = await startWorld());
    const dm = await w.dm(w.alice);
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.start();
    const cards = '/team-messaging/v1/adaptive-cards/';
    // The first PUT is slower than the bot's 15 s deadline (RingCentral still applies it); the retries get 500s.
    w.emulator.failNext(1, { delayMs: 16_000 }, { method: 'PUT', pathPrefix: cards });
    w.emulator.failNext(4, { status: 500 }, { method: 'PUT', pathPrefix: cards });
    await flow.next({ appType: 'bot' });
    await w.emulator.waitFor(() => flow.text().includes('Step 2'), { timeoutMs: 25_000, message: 'the slow update never landed' });
    await w.emulator.waitFor(() => w.logs.some((l) => l.includes('drawing the form failed')), { timeoutMs: 5_000, message: 'the click did not fail' });
    // The card the person sees shows step 2: answering it must work.
    const answer = await flow.next({ appName: 'Late Bot', displayName: 'Late Bot', iconUrl: 'https://cdn.example.com/i.png', primaryContact: 'alice@acme.example', promote: 'false' });
    expect(dialogTitle(answer) ?? null).not.toBe('This form has moved on');
    expect(flow.text()).toMatch(/Step 3/);
  });
});
