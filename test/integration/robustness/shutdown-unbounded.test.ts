import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver, walkToReview } from '../../helpers/flow.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('SIGTERM while a secret is being hidden and RingCentral rate-limits the card update (issue 7: bounded drain)', () => {
  it('stops within the drain bound (10 s) instead of waiting out Retry-After', { timeout: 90_000 }, async () => {
    const w = (world = await startWorld());
    const dm = await w.dm(w.alice);
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.start();
    await walkToReview(flow);
    await flow.click('submit');
    expect(flow.text()).toMatch(/rgr_cs_/);
    // The card update that hides the secret is rate-limited with a 30 s penalty.
    w.emulator.failNext(1, { status: 429, retryAfter: 30 }, { method: 'PUT', pathPrefix: '/team-messaging/v1/adaptive-cards/' });
    w.clock.advance(901_000);
    await w.emulator.waitFor(() => w.logs.some((l) => l.includes('retrying RingCentral call')), { timeoutMs: 5000, message: 'the hide never started' });
    const started = Date.now();
    await w.stop();
    const took = Date.now() - started;
    expect(took).toBeLessThan(15_000); // the 10 s drain bound, and a little for closing
  });
});
