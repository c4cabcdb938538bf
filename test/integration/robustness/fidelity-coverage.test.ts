import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { glipSignature } from '../../../src/emulator/index.js';
import { flowDriver } from '../../helpers/flow.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const dialogTitle = (body: unknown) => (body as { dialog?: { title?: string } } | null)?.dialog?.title;

describe('acceptance lines no other test covers', () => {
  it('moves a start in a group chat (not a team) to a direct message and posts no card in the group', async () => {
    world = await startWorld();
    const group = await world.emulator.createChat({ accountId: world.account.id, type: 'Group', members: [world.alice.id, world.bob.id, world.botId] });
    await world.emulator.waitFor(() => world!.botTexts(group.id).length === 1, { message: 'no greeting in the group' });
    const before = world.botTexts(group.id).length;
    await world.say(world.alice, group.id, `![:Person](${world.botId}) create app`);
    const dm = await world.dm(world.alice);
    await world.emulator.waitFor(() => world!.botCards(dm.id).length === 1, { message: 'no card in the DM' });
    expect(world.botTexts(group.id).slice(before)).toEqual([expect.stringMatching(/direct message/)]);
    expect(world.botCards(group.id)).toEqual([]);
  });

  it('accepts a post notification and a button_submit whose ids are numbers', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    const note = JSON.stringify({
      uuid: randomUUID(),
      event: '/team-messaging/v1/posts',
      subscriptionId: world.emulator.subscriptions()[0]!.id,
      ownerId: Number(world.botId),
      body: { id: 1, groupId: Number(dm.id), creatorId: Number(world.alice.id), text: 'create app', mentions: null, eventType: 'PostAdded', type: 'TextMessage' },
    });
    const res = await fetch(`${world.bot.url}/bot/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'verification-token': world.bot.verificationToken }, body: note });
    expect(res.status).toBe(200);
    await world.emulator.waitFor(() => world!.botCards(dm.id).length === 1, { message: 'no form after a numeric-id post' });
    const flow = flowDriver(world, world.alice, dm.id);
    const request = world.emulator.signedSubmitRequest({ cardId: flow.flowCard().id, personId: world.alice.id, data: { ...flow.action('next'), appType: 'bot' } });
    const p = request.payload;
    const payload = { ...p, user: { ...p.user, id: Number(p.user.id), extId: Number(p.user.extId), accountId: Number(p.user.accountId) }, bot: { id: Number(p.bot.id) }, conversation: { ...p.conversation, id: Number(p.conversation.id) } };
    const body = JSON.stringify(payload);
    const click = await fetch(request.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-glip-signature': glipSignature(world.app.sharedSecret, body) }, body });
    expect(click.status).toBe(200);
    expect(dialogTitle(await click.text().then((t) => (t ? JSON.parse(t) : null)))).toBeUndefined();
    expect(flow.text()).toContain('Name and contact');
  });
});
