import { afterEach, describe, expect, it } from 'vitest';
import { flowDriver } from '../../helpers/flow.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const dialogOf = (r: { body: unknown }) => (r.body as { dialog?: { title?: string; card?: unknown } } | null)?.dialog;

describe('a store that cannot write (a full disk)', () => {
  it('answers a click with "not saved", changes nothing, and the same button works once the disk is back', async () => {
    world = await startWorld({ faultyStore: true });
    const dm = await world.dm(world.alice);
    const flow = flowDriver(world, world.alice, dm.id);
    await flow.start();
    const before = flow.text();
    const healed = world.faults.add(() => true);
    const refused = await flow.next({ appType: 'bot' });
    expect(refused.status).toBe(200);
    expect(dialogOf(refused)?.title).toBe('That was not saved');
    expect(JSON.stringify(dialogOf(refused)?.card)).toMatch(/could not save/);
    expect(flow.text()).toBe(before);
    healed();
    await flow.next({ appType: 'bot' });
    expect(flow.text()).toMatch(/Step 2/);
  });

  it('answers a message with "not saved" instead of dropping it, for the id or for the work', async () => {
    world = await startWorld({ faultyStore: true });
    const dm = await world.dm(world.alice);
    // Every write fails: not even the event id can be recorded.
    const healed = world.faults.add(() => true);
    const [reply] = await world.say(world.alice, dm.id, 'create app');
    expect(reply?.text).toMatch(/could not save that/);
    healed();
    // Only the form can not be stored: the id is, the work is not.
    const stop = world.faults.add((name) => name === 'flows');
    const replies = await world.say(world.alice, dm.id, 'create app');
    expect(replies.at(-1)?.text).toMatch(/could not save that/);
    stop();
    const ok = await world.say(world.alice, dm.id, 'create app');
    expect(ok.some((p) => p.type === 'Card')).toBe(true);
  });
});

describe('a write that fails after the secrets were shown', () => {
  it('keeps the app registered, says nothing failed, and files the approval request once the disk is back', async () => {
    world = await startWorld({ faultyStore: true, adminChat: ['dave'] });
    const w = world;
    const dm = await w.dm(w.alice);
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.start();
    await flow.next({ appType: 'rest-api' });
    await flow.next({ appName: 'Late Filing', displayName: 'Late Filing', iconUrl: '', primaryContact: 'alice@acme.example', promote: 'false' });
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await flow.next({ scopes: 'ReadMessages,ReadCallRecording', justification: 'We archive call recordings for compliance audits every quarter.' });
    await flow.next({ access: 'private', partners: '' });
    await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
    const healed = w.faults.add((name) => name === 'approvals');
    const answer = await flow.click('submit');
    expect(answer.body === '' || answer.body === null).toBe(true);
    expect(flow.text()).toMatch(/rgr_cs_/);
    expect(w.botTexts(dm.id).filter((t) => /went wrong/.test(t))).toEqual([]);
    const [app] = await w.bot.registry.listByOwner(w.account.id, w.alice.id);
    expect(app?.pendingScopes).toEqual(['ReadCallRecording']);
    expect(await w.bot.services.store.collection('approvals').list()).toEqual([]);
    healed();
    await w.bot.sweep();
    await w.emulator.waitFor(() => w.botCards(w.adminChatId).length === 1, { message: 'the request never reached the admins' });
  });
});
