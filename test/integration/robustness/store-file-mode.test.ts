import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('the store file in DATA_DIR', () => {
  it('stays readable by its owner only after many writes (it holds the sealed bot token and secret hashes)', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    await world.say(world.alice, dm.id, 'help');
    await world.say(world.alice, dm.id, 'help');
    const mode = statSync(join(world.dataDir, 'registrar.json')).mode & 0o777;
    expect(mode.toString(8)).toBe('600');
  });
});
