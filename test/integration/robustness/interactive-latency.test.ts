import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver } from '../../helpers/flow.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a click while RingCentral rate-limits card updates', () => {
  it('is answered 200 within the 10 s the emulator (standing in for RingCentral) waits', { timeout: 30_000 }, async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    const flow = flowDriver(world, world.alice, dm.id);
    await flow.start();
    world.emulator.failNext(1, { status: 429, retryAfter: 11 }, { method: 'PUT', pathPrefix: '/team-messaging/v1/adaptive-cards/' });
    const result = await flow.next({ appType: 'rest-api' }).catch((err: Error) => ({ status: 0, error: err.message }));
    expect(result).toMatchObject({ status: 200 });
  });
});
