import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../src/approvals/approval-request.js';
import type { Flow } from '../../../src/conversation/flow.js';
import { click, register } from '../../helpers/approvals.js';
import { flowDriver } from '../../helpers/flow.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const DAY = 86_400_000;

describe('what the store forgets on a schedule', () => {
  it('closed forms after a week and decided requests after 90 days; open ones and apps stay', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { app } = await register(w); // a submitted form and an open request
    await click(w, w.dave, 'Approve all'); // now decided
    const dm = await w.dm(w.bob);
    const open = flowDriver(w, w.bob, dm.id);
    await open.start(); // an open form that stays open
    const flows = w.bot.services.store.collection<Flow>('flows');
    const requests = w.bot.services.store.collection<ApprovalRequest>('approvals');
    expect((await flows.list()).map((f) => f.status).sort()).toEqual(['active', 'submitted']);

    w.clock.advance(6 * DAY);
    await w.bot.sweep();
    expect(await flows.count()).toBe(2);
    w.clock.advance(2 * DAY);
    await w.bot.sweep();
    // The open form expired in the meantime and is closed now: it goes a week after that.
    expect((await flows.list()).map((f) => f.status)).toEqual(['expired']);
    expect(await requests.count()).toBe(1);

    w.clock.advance(90 * DAY);
    await w.bot.sweep();
    expect(await flows.count()).toBe(0);
    expect(await requests.count()).toBe(0);
    // The app and its history stay.
    expect((await w.bot.registry.get(app.clientId))?.status).toBe('active');
    expect((await w.bot.services.store.collection('audit').list()).length).toBeGreaterThan(0);
  });
});
