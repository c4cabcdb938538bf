import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver } from '../../helpers/flow.js';
import { mountReadOnly } from '../../helpers/read-only-dir.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
let undo: (() => Promise<void>) | undefined;
afterEach(async () => {
  await undo?.();
  undo = undefined;
  await world?.close();
  world = undefined;
});

const dialogOf = (r: { body: unknown }) => (r.body as { dialog?: { title?: string; card?: unknown } } | null)?.dialog;

describe('a DATA_DIR that turns read-only under the running bot', () => {
  it('answers clicks and messages with "not saved", keeps running, and saves again once DATA_DIR is writable', async () => {
    const w = (world = await startWorld({ faultyDisk: true }));
    const dm = await w.dm(w.alice);
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.start();
    const before = flow.text();
    // A real read-only file system where the machine allows a mount; EROFS injected under the store otherwise.
    undo = await mountReadOnly(w.dataDir);
    if (!undo) {
      w.disk.failAll('EROFS');
      undo = async () => w.disk.heal();
    }
    const refused = await flow.next({ appType: 'bot' });
    expect(refused.status).toBe(200);
    expect(dialogOf(refused)?.title).toBe('That was not saved');
    expect(JSON.stringify(dialogOf(refused)?.card)).toMatch(/could not save/);
    expect(flow.text()).toBe(before);
    const [reply] = await w.say(w.alice, dm.id, 'help');
    expect(reply?.text).toMatch(/could not save that/);
    expect(w.logs.some((l) => /EROFS|read-only file system/.test(l))).toBe(true);
    await undo();
    undo = undefined;
    await flow.next({ appType: 'bot' });
    expect(flow.text()).toMatch(/Step 2/);
    expect((await w.say(w.alice, dm.id, 'help'))[0]?.text).toMatch(/Registrar/);
  });
});
