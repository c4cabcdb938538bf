import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver } from '../../helpers/flow.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('shutting down (SIGTERM) while work is in flight', () => {
  it('finishes a click that was accepted before it stops, and saves it', async () => {
    world = await startWorld();
    const w = world;
    const dm = await w.dm(w.alice);
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.start();
    // RingCentral is slow to update the card: the click is still being handled when shutdown begins.
    w.emulator.failNext(1, { delayMs: 1500 }, { method: 'PUT', pathPrefix: '/team-messaging/v1/adaptive-cards/' });
    const click = flow.next({ appType: 'bot' });
    await w.emulator.waitFor(() => w.logs.some((l) => l.includes('"msg":"submit received"')), { message: 'the click never arrived' });
    await w.stop();
    expect(flow.text()).toMatch(/Step 2/);
    expect((await click).status).toBe(200);
    // And what was shown was saved: after a restart the form is at step 2 and answers.
    await w.start();
    await flow.next({ ...flow.action('next'), appName: 'Kept Bot', displayName: 'Kept Bot', iconUrl: 'https://cdn.example.com/i.png', primaryContact: 'alice@acme.example', promote: 'false' });
    expect(flow.text()).toMatch(/Step 3/);
  });
});

describe('temp files left by a killed write', () => {
  it('are removed at start-up when their process is gone, and left alone when it runs', async () => {
    world = await startWorld();
    const w = world;
    await w.stop();
    const gone = spawnSync(process.execPath, ['-e', '']).pid; // a process that has exited
    const dead = join(w.dataDir, `registrar.json.${gone}.abc123.tmp`);
    const live = join(w.dataDir, `registrar.json.${process.ppid}-0badcafe.def456.tmp`); // another process that runs
    const other = join(w.dataDir, 'notes.txt');
    for (const f of [dead, live, other]) writeFileSync(f, '{"half": ');
    await w.start();
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });
});
