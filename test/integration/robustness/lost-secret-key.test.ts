import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function refusal(w: World): Promise<unknown> {
  try {
    await w.start();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('a key that is not the one the store was sealed with', () => {
  it('DATA_DIR/secret.key lost (a restore without it): start-up stops naming it and makes no new key', async () => {
    const w = (world = await startWorld());
    const dm = await w.dm(w.alice);
    expect((await w.say(w.alice, dm.id, 'help'))[0]?.text).toMatch(/Registrar/);
    await w.stop();
    rmSync(join(w.dataDir, 'secret.key'));
    const err = await refusal(w);
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toContain(join(w.dataDir, 'secret.key'));
    expect(String((err as Error).message)).toMatch(/is missing/);
    // Still refused the next time: no key was generated in its place.
    expect(await refusal(w)).toBeInstanceOf(ConfigError);
  });

  it('another key in DATA_DIR/secret.key, or in REGISTRAR_SECRET_KEY: start-up stops naming it', async () => {
    const w = (world = await startWorld());
    await w.stop();
    writeFileSync(join(w.dataDir, 'secret.key'), `${'ab'.repeat(32)}\n`);
    const fromFile = await refusal(w);
    expect(fromFile).toBeInstanceOf(ConfigError);
    expect(String((fromFile as Error).message)).toContain('secret.key: is not the key');
    (w.env as Record<string, string>).REGISTRAR_SECRET_KEY = 'cd'.repeat(32);
    const fromSetting = await refusal(w);
    expect(String((fromSetting as Error).message)).toContain('REGISTRAR_SECRET_KEY: is not the key');
  });
});
