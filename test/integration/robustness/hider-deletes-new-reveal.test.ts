import { afterEach, describe, expect, it } from 'vitest';
import { revealKey, type Reveal } from '../../../src/registration/issue-app.js';
import type { AppRecord } from '../../../src/registry/app-records.js';
import { registerOnly } from '../../helpers/approvals.js';
import { flowDriver, walkToReview } from '../../helpers/flow.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('the secret hider working through a backlog while a registration is undone and submitted again on the same card', () => {
  it('still hides the second attempt\'s secret when its time is up', { timeout: 60_000 }, async () => {
    const w = (world = await startWorld({ faultyStore: true, env: { SECRET_REVEAL_SECONDS: '60' } }));
    // A backlog: four other people's secrets will be due together.
    for (const [person, name] of [[w.bob, 'Bob App'], [w.carol, 'Carol App'], [w.dave, 'Dave App'], [w.erin, 'Erin App']] as const) await registerOnly(w, person, 'ReadMessages', name);
    const dm = await w.dm(w.alice);
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.start();
    await walkToReview(flow);
    const cardId = flow.flowCard().id;
    const reveals = w.bot.services.store.collection<Reveal>('reveals');
    // First attempt: making the app active fails once (a full disk), so it is undone. At that very
    // moment its reveal is stored (the credentials card waits in the outbox): every shown secret is
    // due now, and hiding the four others is slow at RingCentral (5 s each), so the hider's backlog
    // pass starts with the first attempt's reveal in its list.
    let once = true;
    let pass: Promise<void> | undefined;
    const heal = w.faults.add((name, _id, v) => {
      const hit = name === 'apps' && (v as AppRecord | undefined)?.status === 'active' && (v as AppRecord).ownerId === w.alice.id && once;
      if (hit) {
        once = false;
        w.clock.advance(61_000);
        w.emulator.failNext(4, { delayMs: 5000 }, { method: 'PUT', pathPrefix: '/team-messaging/v1/adaptive-cards/' });
        pass = w.bot.sweep();
      }
      return hit;
    });
    const first = flow.click('submit');
    await first;
    heal();
    // The undo draws the form back (RingCentral may be slow with it too, behind the backlog).
    await w.emulator.waitFor(() => /Registering the app did not finish/.test(flow.text()), { timeoutMs: 15_000, message: 'the form never came back' });
    // Second attempt on the same card, while the hider is still busy with the backlog.
    await flow.click('submit');
    expect((await w.bot.registry.listByOwner(w.account.id, w.alice.id)).map((a) => a.status)).toEqual(['active']);
    expect(pass).toBeDefined();
    await pass;
    // The backlog pass reached the first attempt's (undone) reveal last: the second one's must survive it.
    const second = (await w.bot.registry.listByOwner(w.account.id, w.alice.id))[0]!.clientId;
    expect(await reveals.get(revealKey(cardId, second))).toBeDefined();
    // The second attempt's secret is due in turn.
    w.clock.advance(61_000);
    await w.bot.sweep();
    expect(cardText(w.emulator.card(cardId)!.body)).not.toMatch(/rgr_cs_/);
  });
});
