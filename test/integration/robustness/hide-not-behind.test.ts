import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../src/approvals/approval-request.js';
import { register } from '../../helpers/approvals.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const HOUR = 3600_000;

describe('hiding a secret while many reminders are due', () => {
  it('does not wait for the reminders: the card is hidden while they are still being raised', { timeout: 60_000 }, async () => {
    world = await startWorld({ adminChat: ['dave', 'erin'], env: { SECRET_REVEAL_SECONDS: '7200', APPROVAL_REMIND_HOURS: '1' } });
    const w = world;
    const { dm } = await register(w);
    const requests = w.bot.services.store.collection<ApprovalRequest>('approvals');
    const [real] = await requests.list();
    // 39 more open requests like it, so the reminder sweep has 40 to raise.
    for (let i = 0; i < 39; i++) await requests.put(`seeded-${i}`, { ...real!, id: `seeded-${i}`, cardId: null });
    const showingSecret = () => w.botCards(dm.id).filter((c) => /rgr_cs_/.test(cardText(w.emulator.card(c.id)!.body)));
    expect(showingSecret()).toHaveLength(1);

    // RingCentral answers each post to the admin chat slowly: raising 40 takes about 10 s.
    w.emulator.failNext(40, { delayMs: 250 }, { method: 'POST', pathPrefix: `/team-messaging/v1/chats/${w.adminChatId}/` });
    w.clock.advance(HOUR + 60_000); // reminders due, the secret not yet
    const raised = () => w.emulator.cards({ chatId: w.adminChatId }).length;
    const before = raised();
    const sweep = w.bot.sweep();
    await w.emulator.waitFor(() => raised() > before, { message: 'no reminder raised' });
    w.clock.advance(HOUR); // now the secret is due too

    await w.emulator.waitFor(() => showingSecret().length === 0, { timeoutMs: 4000, message: 'the secret stayed on screen behind the reminders' });
    expect(raised() - before).toBeLessThan(40);
    await sweep;
    expect(raised() - before).toBe(40);
  });
});
