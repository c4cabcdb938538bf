import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a temp file left by a killed write of an earlier run that had the same pid (a container: the bot is always pid 1)', () => {
  it('is removed at start-up like any other leftover', async () => {
    const w = (world = await startWorld());
    await w.stop();
    // The earlier run was killed mid-write an hour ago; this run got the same pid, as containers do.
    const leftover = join(w.dataDir, `registrar.json.${process.pid}.a1b2c3d4e5f6.tmp`);
    writeFileSync(leftover, '{"apps":{"half":', { mode: 0o600 });
    const anHourAgo = new Date(Date.now() - 3600_000);
    utimesSync(leftover, anHourAgo, anHourAgo);
    await w.start();
    expect(existsSync(leftover)).toBe(false);
  });
});
