import { afterEach, describe, it } from 'vitest';
import { startCrashWorld, type CrashWorld } from '../../helpers/crash-world.js';
import { KILLS, killUnderStream } from '../../helpers/crash-stream.js';

let world: CrashWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('kill -9 at random moments under a stream of registrations (lowdb)', () => {
  it(`leaves nothing half done after any of ${KILLS} or more kills`, { timeout: 900_000 }, async () => {
    await killUnderStream((world = await startCrashWorld()), 'lowdb');
  });
});
