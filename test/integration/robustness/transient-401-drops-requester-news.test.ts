import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../src/approvals/approval-request.js';
import { click, register } from '../../helpers/approvals.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a decision whose message to the requester meets one momentary 401 (OAU-129)', () => {
  it('still tells the requester once RingCentral accepts the token again', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm } = await register(w);
    const outcomes = () => w.botCards(dm.id).filter((c) => /your scope request/i.test(cardText(c.body)));
    // The emulator's 401 is "a token the platform does not (momentarily) accept": the next call works.
    w.emulator.failNext(1, { status: 401 }, { method: 'POST', pathPrefix: `/team-messaging/v1/chats/${dm.id}/adaptive-cards` });
    await click(w, w.dave, 'Approve all');
    await w.bot.sweep();
    await w.bot.sweep();
    const [request] = await w.bot.services.store.collection<ApprovalRequest>('approvals').list();
    expect(request?.status).toBe('decided');
    expect(outcomes()).toHaveLength(1);
  });
});
