import { afterEach, describe, expect, it } from 'vitest';
import { DELAYED_NOTICE } from '../../../src/delivery/outbox.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const TOKEN = 'metrics-token-for-the-review-test';

async function metric(w: World, name: string): Promise<number> {
  const text = await (await fetch(`${w.bot.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

describe('review13: the parked gauge across a restart', () => {
  it('reports a message parked before a restart, and never goes below zero once it is sent', { timeout: 60_000 }, async () => {
    const w = (world = await startWorld({ env: { METRICS_TOKEN: TOKEN }, outbox: { maxAttempts: 2, baseDelayMs: 1000, parkedEveryMs: 60_000 } }));
    const dm = await w.dm(w.alice);
    w.emulator.failNext(10, { status: 503 }, { method: 'POST', pathPrefix: `/team-messaging/v1/chats/${dm.id}/posts` });
    await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'help' });
    await w.emulator.waitFor(() => w.logs.some((l) => l.includes('an outgoing message failed; will retry')), { message: 'the first attempt never failed' });
    w.clock.advance(1_500);
    await w.emulator.waitFor(() => w.botTexts(dm.id).includes(DELAYED_NOTICE), { message: 'the person was never told' });
    expect(await metric(w, 'registrar_outbox_parked')).toBe(1);
    await w.stop();
    await w.start();
    const afterRestart = await metric(w, 'registrar_outbox_parked');
    w.clock.advance(61_000);
    await w.emulator.waitFor(() => w.botTexts(dm.id).some((t) => /create app/.test(t) && t !== DELAYED_NOTICE), { message: 'the parked reply never went out' });
    await new Promise((r) => setTimeout(r, 1_000));
    const afterSent = await metric(w, 'registrar_outbox_parked');
    expect({ afterRestart, afterSent }).toEqual({ afterRestart: 1, afterSent: 0 });
  });
});
