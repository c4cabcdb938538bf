import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../src/approvals/approval-request.js';
import { click, register } from '../../helpers/approvals.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';
import { until } from '../../helpers/poll.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a sweep that runs while a decision is still telling the requester', () => {
  it('tells the requester once, not once per runner of the follow-ups', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm } = await register(w);
    const outcomes = () => w.botCards(dm.id).filter((c) => /your scope request/i.test(cardText(c.body)));
    expect(outcomes()).toHaveLength(0);
    // RingCentral is slow (1.5 s) to accept the outcome card in the requester's chat.
    w.emulator.failNext(1, { delayMs: 1500 }, { method: 'POST', pathPrefix: `/team-messaging/v1/chats/${dm.id}/adaptive-cards` });
    const clicked = click(w, w.dave, 'Approve all');
    const requests = w.bot.services.store.collection<ApprovalRequest>('approvals');
    // The decision is stored and its follow-up to the requester is under way...
    await until(async () => (await requests.list()).some((r) => r.status === 'decided' && r.effects?.includes('requester')), 'the decision was never stored');
    // ...when the periodic sweep (every 15 s in production) comes round.
    await w.bot.sweep();
    await clicked;
    // Everything but the credentials card, which waits until its secrets are hidden.
    await until(async () => (await requests.list()).every((r) => (r.effects ?? []).every((e) => e === 'credentials')), 'follow-ups never finished');
    expect(outcomes()).toHaveLength(1);
  });
});
