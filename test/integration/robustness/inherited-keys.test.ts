import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { startFlowWorld } from '../../helpers/flow.js';
import { startWorld, type World } from '../../helpers/world.js';

const INHERITED = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('outside input named like an inherited property', () => {
  it('a click whose action is an inherited name answers an empty 200 and says the button is unknown', async () => {
    const started = await startFlowWorld();
    world = started.world;
    const card = started.flow.flowCard();
    for (const action of INHERITED) {
      const before = world.botTexts(started.dm.id).length;
      const result = await world.emulator.submit({ cardId: card.id, personId: world.alice.id, data: { action } });
      expect(result.status).toBe(200);
      expect(result.body === '' || result.body === null || result.body === undefined).toBe(true);
      expect(JSON.stringify(result.body ?? '')).not.toMatch(/secret|token|config/i);
      await world.emulator.waitFor(() => world!.botTexts(started.dm.id).length > before, { message: `no answer to action ${action}` });
      expect(world.botTexts(started.dm.id).at(-1)).toContain('not one I know');
    }
  });

  it('flow ids, request ids and uuids named like inherited properties find nothing and throw nothing', async () => {
    const started = await startFlowWorld();
    world = started.world;
    const card = started.flow.flowCard();
    for (const id of INHERITED) {
      const flowClick = await world.emulator.submit({ cardId: card.id, personId: world.alice.id, data: { action: 'next', flowId: id, version: '1' } });
      expect(flowClick.status).toBe(200);
      expect((flowClick.body as { dialog: { title: string } }).dialog.title).toBe('This form is no longer available');
      const approval = await world.emulator.submit({ cardId: card.id, personId: world.alice.id, data: { action: 'approve', requestId: id } });
      expect((approval.body as { dialog: { title: string } }).dialog.title).toBe('Request not found');
    }
    // A uuid that is an inherited name is a new event the first time, a duplicate the second.
    const data = { ...started.flow.action('next'), appType: 'bot' };
    const first = await world.emulator.submit({ cardId: card.id, personId: world.alice.id, data, uuid: 'constructor' });
    expect(first.status).toBe(200);
    await world.emulator.waitFor(() => started.flow.text().includes('Step 2'), { message: 'the click with uuid "constructor" was not acted on' });
    const errors = world.logs.filter((l) => l.includes('"level":"error"'));
    expect(errors).toEqual([]);
  });

  it('the registry answers 401, never 500, for client ids named like inherited properties', async () => {
    world = await startWorld();
    for (const id of INHERITED) {
      const res = await request(world.bot.url).get(`/registry/clients/${encodeURIComponent(id)}`).auth(id, 'rgr_cs_x');
      expect(res.status).toBe(401);
    }
  });
});
