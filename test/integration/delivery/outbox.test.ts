import { afterEach, describe, expect, it } from 'vitest';
import { DELAYED_NOTICE } from '../../../src/delivery/outbox.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const TOKEN = 'metrics-token-for-the-outbox-test';

async function metric(w: World, name: string): Promise<number> {
  const text = await (await fetch(`${w.bot.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

const helpReplies = (w: World, chatId: string) => w.botTexts(chatId).filter((t) => /create app/.test(t) && t !== DELAYED_NOTICE);

describe('the outbox', () => {
  it('parks a reply RingCentral keeps refusing, counts it, tells the person it is delayed, and sends it once RingCentral takes it', { timeout: 30_000 }, async () => {
    // The pace comes from the settings an operator has (OUTBOX_*); only the parked pace is the test's.
    const w = (world = await startWorld({ env: { METRICS_TOKEN: TOKEN, OUTBOX_ATTEMPTS: '2', OUTBOX_RETRY_SECONDS: '1' }, outbox: { parkedEveryMs: 60_000 } }));
    const dm = await w.dm(w.alice);
    // Each attempt is 5 quick tries by the client: two attempts fail, then RingCentral takes posts again.
    w.emulator.failNext(10, { status: 503 }, { method: 'POST', pathPrefix: `/team-messaging/v1/chats/${dm.id}/posts` });
    await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'help' });
    await w.emulator.waitFor(() => w.logs.some((l) => l.includes('an outgoing message failed; will retry')), { message: 'the first attempt never failed' });
    expect(await metric(w, 'registrar_outbox_retries_total')).toBe(1);
    w.clock.advance(1_500);
    await w.emulator.waitFor(() => w.botTexts(dm.id).includes(DELAYED_NOTICE), { message: 'the person was never told' });
    expect(helpReplies(w, dm.id)).toEqual([]);
    expect(await metric(w, 'registrar_outbox_parked_total')).toBe(1);
    expect(await metric(w, 'registrar_outbox_parked')).toBe(1);
    // A parked message is still tried, at the slow pace.
    w.clock.advance(61_000);
    await w.emulator.waitFor(() => helpReplies(w, dm.id).length > 0, { message: 'the parked reply never went out' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(helpReplies(w, dm.id)).toHaveLength(1);
    expect(w.botTexts(dm.id).filter((t) => t === DELAYED_NOTICE)).toHaveLength(1);
    expect(await metric(w, 'registrar_outbox_parked')).toBe(0);
  });

  it('does not post a reply twice when RingCentral took it but the answer never came back', { timeout: 60_000 }, async () => {
    const w = (world = await startWorld({ outbox: { baseDelayMs: 1000 } }));
    const dm = await w.dm(w.alice);
    // RingCentral creates the post but answers after the bot's 15 s deadline.
    w.emulator.failNext(1, { delayMs: 16_000 }, { method: 'POST', pathPrefix: `/team-messaging/v1/chats/${dm.id}/posts` });
    await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'help' });
    await w.emulator.waitFor(() => w.logs.some((l) => l.includes('an outgoing message failed; will retry')), { timeoutMs: 25_000, message: 'the slow post never timed out' });
    await w.emulator.waitFor(() => helpReplies(w, dm.id).length === 1, { timeoutMs: 5_000, message: 'the slow post never landed' });
    w.clock.advance(1_500);
    const listed = () => w.emulator.requests.some((r) => r.method === 'GET' && r.path === `/team-messaging/v1/chats/${dm.id}/posts`);
    await w.emulator.waitFor(listed, { message: 'the outbox never looked for the post' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(helpReplies(w, dm.id)).toHaveLength(1);
    // The outbox looked in the chat and recorded the post as sent: nothing is left to send.
    const left = (await w.bot.services.store.collection<{ state: string }>('outbox').list()).filter((e) => e.state !== 'sent');
    expect(left).toEqual([]);
  });
});
