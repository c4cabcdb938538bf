import { afterEach, describe, expect, it } from 'vitest';
import type { Person } from '../../src/emulator/model.js';
import { rateGroupFor } from '../../src/platform/rate-groups.js';
import { registerOnly } from '../helpers/approvals.js';
import { startWorld, type World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** The bot's REST requests of one group the emulator received, oldest first. */
const requestsOf = (w: World, group: string) =>
  w.emulator.requests.filter((r) => r.transport === 'http' && !r.path.startsWith('/_emulator') && rateGroupFor(r.method, r.path) === group);

describe('RingCentral rate limits, enforced by the emulator', () => {
  it('keeps 100 concurrent replies and three registrations under the Medium budget: no 429 at all', { timeout: 60_000 }, async () => {
    // The test world's emulator enforces the documented budgets over a 1 s window (TEST_RATE_LIMITS).
    const w = (world = await startWorld());
    const people: Person[] = [w.alice, w.bob, w.carol, w.dave, w.erin];
    const dms = await Promise.all(people.map((p) => w.dm(p)));

    const registrations = [w.alice, w.bob, w.carol].map((p, i) => registerOnly(w, p, 'ReadCallLog', `Rate App ${i + 1}`));
    await Promise.all(people.flatMap((p, i) => Array.from({ length: 20 }, () => w.emulator.post({ chatId: dms[i]!.id, personId: p.id, text: 'help' }))));
    await Promise.all(registrations);
    await w.emulator.waitFor(() => dms.every((dm) => w.botTexts(dm.id).filter((t) => t.includes('create app')).length >= 20), {
      message: 'not every help got its answer',
      timeoutMs: 30_000,
    });

    expect(w.emulator.rateLimitRejections()).toEqual({ Light: 0, Medium: 0, Heavy: 0, Auth: 0 });
    const medium = requestsOf(w, 'Medium');
    expect(medium.filter((r) => r.status === 429)).toEqual([]);
    // The budget was a real constraint: more Medium requests than one window allows, spread by the gate.
    expect(medium.length).toBeGreaterThan(100);
    for (const r of medium) expect(medium.filter((o) => o.receivedAt > r.receivedAt - 1000 && o.receivedAt <= r.receivedAt).length).toBeLessThanOrEqual(40);
  });

  it('after a 429 sends nothing more of that group before Retry-After has passed, then everything that waited', async () => {
    const w = (world = await startWorld());
    const dms = await Promise.all([w.alice, w.bob, w.carol, w.dave].map((p) => w.dm(p)));
    w.emulator.failNext(1, { status: 429, retryAfter: 2 }, { method: 'POST', pathPrefix: `/team-messaging/v1/chats/${dms[0]!.id}/posts` });

    await w.emulator.post({ chatId: dms[0]!.id, personId: w.alice.id, text: 'help' });
    const refused = await w.emulator.waitFor(() => w.emulator.requests.find((r) => r.status === 429), { message: 'no 429 yet' });
    // Others ask while the group is paused.
    await Promise.all([w.bob, w.carol, w.dave].map((p, i) => w.emulator.post({ chatId: dms[i + 1]!.id, personId: p.id, text: 'help' })));
    await w.emulator.waitFor(() => dms.every((dm) => w.botTexts(dm.id).some((t) => t.includes('create app'))), { message: 'not every help got its answer' });

    const after = requestsOf(w, 'Medium').filter((r) => r.receivedAt > refused.receivedAt);
    expect(after.length).toBeGreaterThanOrEqual(4); // the retry and the three replies that waited
    for (const r of after) expect(r.receivedAt - refused.receivedAt).toBeGreaterThanOrEqual(2000);
    expect(w.logs.some((l) => l.includes('RingCentral rate limit reached') && l.includes('Medium'))).toBe(true);
  });
});
