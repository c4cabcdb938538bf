import { afterEach, describe, expect, it } from 'vitest';
import { SLOW_DOWN } from '../../src/bot/person-limiter.js';
import { submitActions } from '../../src/cards/inspect-card.js';
import { startWorld, type World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const settle = () => new Promise((r) => setTimeout(r, 800));
const helpAnswers = (w: World, chatId: string) => w.botTexts(chatId).filter((t) => /create app/.test(t) && t !== SLOW_DOWN);

describe('per-person limits on commands and clicks', () => {
  it('tells a person once to slow down, ignores the rest for a while, answers RingCentral at once, and leaves others alone', async () => {
    const w = (world = await startWorld({ env: { PERSON_RATE_LIMIT: '5', PERSON_RATE_WINDOW_SECONDS: '60' } }));
    const alice = await w.dm(w.alice);
    const bob = await w.dm(w.bob);
    for (let i = 0; i < 9; i++) await w.emulator.post({ chatId: alice.id, personId: w.alice.id, text: 'help' });
    await w.emulator.waitFor(() => w.botTexts(alice.id).includes(SLOW_DOWN), { message: 'never told to slow down' });
    await settle();
    expect(helpAnswers(w, alice.id)).toHaveLength(5);
    expect(w.botTexts(alice.id).filter((t) => t === SLOW_DOWN)).toHaveLength(1);
    // RingCentral got its 200 for every one of them, the ignored ones included.
    const alicePosts = w.emulator.deliveries.filter((d) => d.eventType === 'PostAdded' && JSON.stringify(d.envelope).includes(`"creatorId":"${w.alice.id}"`));
    expect(alicePosts.length).toBeGreaterThanOrEqual(9);
    expect(alicePosts.every((d) => d.status === 200)).toBe(true);
    // Bob is not Alice.
    await w.say(w.bob, bob.id, 'help');
    expect(helpAnswers(w, bob.id)).toHaveLength(1);
    expect(w.botTexts(bob.id)).not.toContain(SLOW_DOWN);
    // Once a whole window has passed, Alice is answered again.
    w.clock.advance(61_000);
    await w.say(w.alice, alice.id, 'help');
    expect(helpAnswers(w, alice.id)).toHaveLength(6);
  });

  it('counts clicks with commands: a click past the limit gets its 200 and changes nothing', async () => {
    const w = (world = await startWorld({ env: { PERSON_RATE_LIMIT: '3', PERSON_RATE_WINDOW_SECONDS: '60' } }));
    const dm = await w.dm(w.alice);
    await w.say(w.alice, dm.id, 'create app'); // 1
    const card = w.botCards(dm.id)[0]!;
    const next = submitActions(card.body).find((a) => a.data.action === 'next')!;
    await w.say(w.alice, dm.id, 'help'); // 2
    await w.say(w.alice, dm.id, 'help'); // 3
    const answer = await w.emulator.submit({ cardId: card.id, personId: w.alice.id, data: { ...next.data, appType: 'bot' } }); // 4: over
    expect(answer.status).toBe(200);
    await w.emulator.waitFor(() => w.botTexts(dm.id).includes(SLOW_DOWN), { message: 'never told to slow down' });
    await settle();
    expect(JSON.stringify(w.emulator.card(card.id)!.body)).not.toMatch(/Step 2/);
    // Bob's clicks on his own form still work meanwhile.
    const bobDm = await w.dm(w.bob);
    await w.say(w.bob, bobDm.id, 'create app');
    const bobCard = w.botCards(bobDm.id)[0]!;
    const bobNext = submitActions(bobCard.body).find((a) => a.data.action === 'next')!;
    await w.emulator.submit({ cardId: bobCard.id, personId: w.bob.id, data: { ...bobNext.data, appType: 'bot' } });
    await w.emulator.waitFor(() => /Step 2/.test(JSON.stringify(w.emulator.card(bobCard.id)!.body)), { message: "Bob's click was held back" });
  });
});
