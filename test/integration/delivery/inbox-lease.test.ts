import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('review13: the inbox lease on a store only this process uses', () => {
  it('does not hand a delivery this process is still handling to the sweep once its lease has run out', { timeout: 60_000 }, async () => {
    const w = (world = await startWorld());
    const dm = await w.dm(w.alice);
    // RingCentral is slow to take the form card: the handling of "create app" waits on it.
    w.emulator.failNext(1, { delayMs: 6_000 }, { method: 'POST', pathPrefix: `/team-messaging/v1/chats/${dm.id}/adaptive-cards` });
    await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'create app' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(w.botCards(dm.id)).toEqual([]); // still waiting on RingCentral
    // The bot's clock passes the inbox lease (5 minutes) while the first handling still waits.
    w.clock.advance(6 * 60_000);
    await w.bot.sweep();
    await new Promise((r) => setTimeout(r, 9_000));
    const handled = w.logs.filter((l) => l.includes('"msg":"handling a delivery left open"'));
    const received = w.logs.filter((l) => l.includes('"msg":"message received"') && l.includes(dm.id));
    const flows = await w.bot.services.store.collection<{ version: number; notice: string; cardVersion?: number }>('flows').list();
    // One post, one handling: the sweep must not take what this very process is still working on.
    expect(handled).toEqual([]);
    expect(received).toHaveLength(1);
    expect(flows.map((f) => f.notice)).toEqual(['']);
  });
});
