import { afterEach, describe, expect, it } from 'vitest';
import { crashInvariants, startCrashWorld, type CrashWorld } from '../../helpers/crash-world.js';

let world: CrashWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const settle = (ms = 2500) => new Promise((r) => setTimeout(r, ms));

/** Starts, installs (the admin team's welcome goes out through the outbox), then restarts crashing at `at`. */
async function readyToCrashAt(at: string) {
  const w = (world = await startCrashWorld());
  await w.start();
  await w.install();
  await w.emulator.waitFor(() => w.emulator.posts({ chatId: w.adminChatId, creatorId: w.botId }).length > 0, { message: 'no welcome in the admin team' });
  await settle(1000);
  await w.kill();
  await w.start([at]);
  return w;
}

describe('review13: a "create app" handled again after a crash posts one form, not two', () => {
  for (const at of ['outbox:stored', 'outbox:sent']) {
    it(`a kill -9 at ${at} while the form card is being posted leaves the person with one form card`, { timeout: 60_000 }, async () => {
      const w = await readyToCrashAt(at);
      const dm = await w.emulator.directChat(w.alice.id, w.botId);
      await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'create app' });
      await w.child.waitFor(`crashing at ${at}`);
      await w.child.kill();
      await w.start();
      const forms = () => w.emulator.cards({ chatId: dm.id, creatorId: w.botId });
      await w.emulator.waitFor(() => forms().length > 0, { message: 'no form card after the restart' });
      await settle();
      expect(forms().map((c) => JSON.stringify(c.body).match(/already have a registration in progress/) ? 'repost' : 'form')).toEqual(['form']);
      expect(await crashInvariants(w)).toEqual([]);
    });
  }
});
