import { afterEach, describe, expect, it } from 'vitest';
import { actionData, click, latestAdminCard, register } from '../helpers/approvals.js';
import { flowDriver } from '../helpers/flow.js';
import { startWorld, type World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Opens one dialog of each kind the flows produce: a stale form button and three approval answers. */
async function openDialogs(w: World) {
  const dm = await w.dm(w.alice);
  const flow = flowDriver(w, w.alice, dm.id);
  await flow.start();
  const stale = flow.action('next');
  await flow.next({ appType: 'rest-api' });
  const results = [await flow.click('next', { appType: 'bot' }, { data: stale })];
  await register(w, w.bob);
  results.push(await click(w, w.erin, 'Approve all')); // not an admin
  results.push(await click(w, w.dave, 'Reject', { reason: ' ' })); // no reason
  const request = { cardId: latestAdminCard(w).id, data: actionData(w, 'Approve all') };
  await click(w, w.dave, 'Approve all');
  results.push(await w.emulator.submit({ ...request, personId: w.dave.id })); // already decided
  return results;
}

describe('dialogs', () => {
  it('all carry a title and the bot icon, and RingCentral opens every one', async () => {
    world = await startWorld({ adminChat: ['dave', 'erin'], adminIds: ['dave'] });
    const results = await openDialogs(world);
    const icon = `${world.env.BOT_PUBLIC_URL}/bot/icon.png`;
    expect(results.map((r) => r.dialog?.title)).toEqual(['This form has moved on', 'You cannot decide this request', 'A reason is needed', 'Already decided']);
    expect(results.map((r) => r.dialogError)).toEqual([null, null, null, null]);
    expect(world.emulator.dialogs).toHaveLength(4);
    for (const d of world.emulator.dialogs) expect(d).toMatchObject({ error: null, dialog: { title: expect.stringMatching(/\S/), iconURL: icon } });
  });

  it('use BOT_ICON_URL when it is set', async () => {
    world = await startWorld({ adminChat: ['dave', 'erin'], adminIds: ['dave'], env: { BOT_ICON_URL: 'https://cdn.example.com/registrar.png' } });
    const results = await openDialogs(world);
    expect(results.map((r) => r.dialog?.iconURL)).toEqual(Array(4).fill('https://cdn.example.com/registrar.png'));
  });

  it('point at an icon the bot serves itself, a PNG', async () => {
    world = await startWorld();
    const res = await fetch(`${world.bot.url}/bot/icon.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(bytes.length).toBeLessThan(10_000);
  });
});
