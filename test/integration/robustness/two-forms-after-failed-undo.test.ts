import { afterEach, describe, expect, it } from 'vitest';
import type { Flow } from '../../../src/conversation/flow.js';
import type { AppRecord } from '../../../src/registry/app-records.js';
import { UNDONE_NOTICE } from '../../../src/registration/issue-app.js';
import { flowDriver, walkToReview } from '../../helpers/flow.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const dialogTitle = (r: { body: unknown }) => (r.body as { dialog?: { title?: string } } | null)?.dialog?.title;

describe('a registration whose undo could not be saved, followed by "create app" as the person was told', () => {
  it('leaves the person one form, so cancel really drops their registration', async () => {
    const w = (world = await startWorld({ faultyStore: true }));
    const dm = await w.dm(w.alice);
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.start();
    await walkToReview(flow);
    // A full disk: the app cannot be made active, and the undo cannot put the form back.
    const healA = w.faults.add((name, _id, v) => name === 'apps' && (v as AppRecord | undefined)?.status === 'active');
    const healB = w.faults.add((name, _id, v) => name === 'flows' && (v as Flow | undefined)?.notice === UNDONE_NOTICE);
    const answer = await flow.click('submit');
    expect(dialogTitle(answer)).toBe('Nothing was registered'); // "Please submit again"
    healA();
    healB();
    // The person does as told; the disk is back.
    await w.say(w.alice, dm.id, 'create app');
    await w.bot.sweep(); // finishes the undo of the first attempt
    const active = (await w.bot.services.store.collection<Flow>('flows').list()).filter((f) => f.ownerId === w.alice.id && f.status === 'active');
    expect(active).toHaveLength(1);
    await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'cancel' });
    await w.emulator.waitFor(() => w.botCards(dm.id).some((c) => cardText(c.body).includes('Registration cancelled')), { message: 'the form was not cancelled' });
    const [reply] = await w.say(w.alice, dm.id, 'resume');
    expect(reply?.text ?? '(a form card)').toMatch(/no registration in progress/);
  });
});
