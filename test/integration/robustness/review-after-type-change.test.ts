import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver, goodBasics } from '../../helpers/flow.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('changing a notification add-in into a bot from the review', () => {
  it('shows only answers that apply to a bot on the review', async () => {
    world = await startWorld({ env: { ALLOW_NOTIFICATION_ADDINS: 'true' } });
    const dm = await world.dm(world.alice);
    const flow = flowDriver(world, world.alice, dm.id);
    await flow.start();
    await flow.next({ appType: 'notification' });
    await flow.next(goodBasics);
    await flow.next({ manualInstructions: 'Paste the webhook URL into Settings.', webInstallUrl: '' });
    await flow.click('edit', {}, { section: 'type' });
    await flow.next({ appType: 'bot' });
    await flow.next({ scopes: 'TeamMessaging', justification: '' }); // a bot needs scopes...
    await flow.next({ access: 'private', partners: '' }); // ...and access
    const text = flow.text();
    expect(text).toContain('Review');
    expect(text, 'review of a bot').not.toMatch(/Manual install instructions/);
  });
});
