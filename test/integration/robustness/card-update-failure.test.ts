import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver } from '../../helpers/flow.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const dialogTitle = (result: { body: unknown }) => (result.body as { dialog?: { title?: string } } | null)?.dialog?.title;

describe('a click whose card update fails', () => {
  it('lets the person try again on the same card, as the bot tells them to', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    const flow = flowDriver(world, world.alice, dm.id);
    await flow.start();
    // RingCentral is unavailable for every retry of the card update (5 attempts).
    world.emulator.failNext(5, { status: 503 }, { method: 'PUT', pathPrefix: '/team-messaging/v1/adaptive-cards/' });
    const first = await flow.next({ appType: 'rest-api' });
    expect(dialogTitle(first)).toBe('Saved, but the card did not change');
    expect(flow.text()).toContain('Step 1 of'); // the card never changed
    // "Click again in a moment": the person clicks Next again on the only card they have.
    const again = await flow.next({ appType: 'rest-api' });
    expect(dialogTitle(again)).not.toBe('This form has moved on');
    expect(flow.text()).toContain('Name and contact');
  });
});
