import { afterEach, describe, expect, it } from 'vitest';
import { eventBodies, notifications, startWorld, type World } from './helpers.js';

let world: World;

afterEach(async () => {
  await world.close();
});

async function groupWithBot(w: World) {
  return w.emulator.createChat({
    accountId: w.accountId,
    type: 'Team',
    name: 'Engineering',
    members: [w.alice.id, w.bob.id, w.botId],
  });
}

describe('a user posting in a chat with the bot', () => {
  it('delivers PostAdded with mentions null when the text has no mention markup', async () => {
    world = await startWorld();
    await world.subscribe(['/team-messaging/v1/posts']);
    const chat = await groupWithBot(world);

    const post = await world.emulator.post({ chatId: chat.id, personId: world.alice.id, text: 'hello all' });

    const [note] = notifications(world.receiver).filter((n) => (n.body.body as { eventType?: string }).eventType === 'PostAdded');
    expect(note?.body).toMatchObject({ event: '/team-messaging/v1/posts', ownerId: world.botId });
    expect(Object.keys(note?.body ?? {}).sort()).toEqual(['body', 'event', 'ownerId', 'subscriptionId', 'timestamp', 'uuid']);
    expect(note?.body.body).toEqual({
      id: post.id,
      groupId: chat.id,
      type: 'TextMessage',
      text: 'hello all',
      creatorId: world.alice.id,
      addedPersonIds: null,
      removedPersonIds: null,
      creationTime: post.creationTime,
      lastModifiedTime: post.lastModifiedTime,
      attachments: null,
      mentions: null,
      activity: null,
      title: null,
      iconUri: null,
      iconEmoji: null,
      eventType: 'PostAdded',
    });
  });

  it('delivers PostAdded with a mentions array derived from the markup', async () => {
    world = await startWorld();
    await world.subscribe(['/team-messaging/v1/posts']);
    const chat = await groupWithBot(world);

    await world.emulator.post({
      chatId: chat.id,
      personId: world.alice.id,
      text: `![:Person](${world.botId}) register ![:Team](${chat.id})`,
    });

    const [body] = eventBodies(world.receiver, 'PostAdded');
    expect(body?.mentions).toEqual([
      { id: world.botId, type: 'Person', name: 'Registrar Bot' },
      { id: chat.id, type: 'Team', name: 'Engineering' },
    ]);
    expect(world.emulator.deliveries.at(-1)).toMatchObject({ outcome: 'delivered', status: 200, eventType: 'PostAdded' });
  });

  it('can leave out text and mention types from PostAdded, and still serves the whole post by id', async () => {
    world = await startWorld({ omitPostText: true, omitMentionType: true });
    await world.subscribe(['/team-messaging/v1/posts']);
    const chat = await groupWithBot(world);
    const text = `![:Person](${world.botId}) help`;

    const post = await world.emulator.post({ chatId: chat.id, personId: world.alice.id, text });

    const [body] = eventBodies(world.receiver, 'PostAdded');
    expect(body).not.toHaveProperty('text');
    expect(body?.mentions).toEqual([{ id: world.botId, name: 'Registrar Bot' }]);
    const res = await world.api(`/team-messaging/v1/chats/${chat.id}/posts/${post.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-rate-limit-group')).toBe('light'); // EX Chats/Posts get
    expect(await res.json()).toMatchObject({ id: post.id, groupId: chat.id, text, mentions: [{ id: world.botId, type: 'Person' }] });
    const list = await world.api(`/team-messaging/v1/chats/${chat.id}/posts`);
    expect(list.headers.get('x-rate-limit-group')).toBe('medium'); // contract appendix "Rate limits"
    expect((await world.api(`/team-messaging/v1/chats/${chat.id}/posts/424242`)).status).toBe(404);
  });

  it("varies text and mention types event by event with 'alternate'", async () => {
    world = await startWorld({ omitPostText: 'alternate', omitMentionType: 'alternate' });
    await world.subscribe(['/team-messaging/v1/posts']);
    const chat = await groupWithBot(world);
    for (let i = 0; i < 4; i++) {
      await world.emulator.post({ chatId: chat.id, personId: world.alice.id, text: `![:Person](${world.botId}) ${i}` });
    }
    const shapes = eventBodies(world.receiver, 'PostAdded').map((b) => [
      'text' in b,
      (b.mentions as Record<string, unknown>[])[0]!.type === 'Person',
    ]);
    expect(shapes).toHaveLength(4);
    expect(new Set(shapes.map((s) => JSON.stringify(s))).size).toBe(4); // every combination once
  });

  it('refuses a post by someone who is not a member of the chat', async () => {
    world = await startWorld();
    const chat = await world.emulator.createChat({ accountId: world.accountId, type: 'Direct', members: [world.alice.id, world.botId] });

    await expect(world.emulator.post({ chatId: chat.id, personId: world.bob.id, text: 'hi' })).rejects.toMatchObject({
      code: 'EMU_NOT_MEMBER',
    });
  });
});

describe('the bot posting', () => {
  it('answers 201 with the post and echoes it back to the bot as PostAdded', async () => {
    world = await startWorld();
    await world.subscribe(['/team-messaging/v1/posts']);
    const chat = await groupWithBot(world);

    const res = await world.api(`/team-messaging/v1/chats/${chat.id}/posts`, { body: { text: 'pong' } });

    expect(res.status).toBe(201);
    const post = (await res.json()) as { id: string; creatorId: string };
    expect(post.creatorId).toBe(world.botId);
    const echo = await world.emulator.waitFor(() => eventBodies(world.receiver, 'PostAdded')[0]);
    expect(echo).toMatchObject({ id: post.id, creatorId: world.botId, text: 'pong', type: 'TextMessage' });
  });

  it('can edit and delete its own post, and member bots get PostChanged and PostRemoved', async () => {
    world = await startWorld();
    await world.subscribe(['/team-messaging/v1/posts']);
    const chat = await groupWithBot(world);
    const { id } = (await (await world.api(`/team-messaging/v1/chats/${chat.id}/posts`, { body: { text: 'draft' } })).json()) as {
      id: string;
    };

    const patched = await world.api(`/team-messaging/v1/chats/${chat.id}/posts/${id}`, { method: 'PATCH', body: { text: 'final' } });
    const deleted = await world.api(`/team-messaging/v1/chats/${chat.id}/posts/${id}`, { method: 'DELETE' });
    await world.emulator.settle();

    expect(patched.status).toBe(200);
    expect(deleted.status).toBe(204);
    expect(eventBodies(world.receiver, 'PostChanged')).toMatchObject([{ id, text: 'final' }]);
    expect(eventBodies(world.receiver, 'PostRemoved')).toEqual([{ eventType: 'PostRemoved', id, groupId: chat.id }]);
    expect(world.emulator.posts({ chatId: chat.id })).toEqual([]);
  });

  it('works through the legacy glip groups path too', async () => {
    world = await startWorld();
    const chat = await groupWithBot(world);

    const res = await world.api(`/restapi/v1.0/glip/groups/${chat.id}/posts`, { body: { text: 'legacy' } });

    expect(res.status).toBe(201);
    expect(world.emulator.posts({ chatId: chat.id, creatorId: world.botId }).map((p) => p.text)).toEqual(['legacy']);
  });

  it('gets 404 CMN-102 in a chat it is not a member of, and 400 CMN-101 for text over 10000 characters', async () => {
    world = await startWorld();
    const outside = await world.emulator.createChat({
      accountId: world.accountId,
      type: 'Group',
      members: [world.alice.id, world.bob.id],
    });
    const inside = await groupWithBot(world);

    const notMember = await world.api(`/team-messaging/v1/chats/${outside.id}/posts`, { body: { text: 'x' } });
    expect(notMember.status).toBe(404);
    expect(await notMember.json()).toMatchObject({ errorCode: 'CMN-102', errors: [{ errorCode: 'CMN-102' }] });

    const tooLong = await world.api(`/team-messaging/v1/chats/${inside.id}/posts`, { body: { text: 'x'.repeat(10_001) } });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toMatchObject({ errorCode: 'CMN-101', errors: [{ parameterName: 'text' }] });
  });
});

describe('chats', () => {
  it('send GroupJoined with plain-string members and type PrivateChat when a Direct chat with the bot is created', async () => {
    world = await startWorld();
    await world.subscribe(['/team-messaging/v1/chats']);
    await world.emulator.waitFor(() => eventBodies(world.receiver, 'GroupJoined').length === 2); // welcome events

    const chat = await world.emulator.createChat({ accountId: world.accountId, type: 'Direct', members: [world.alice.id, world.botId] });

    const joined = eventBodies(world.receiver, 'GroupJoined').find((b) => b.id === chat.id);
    expect(joined).toMatchObject({ type: 'PrivateChat', members: [world.alice.id, world.botId], status: 'Active' });
    expect(joined).toHaveProperty('name', null);
    expect(joined).toHaveProperty('isPublic', null);
  });

  it('send GroupJoined to an added bot and GroupChanged to bots already there', async () => {
    world = await startWorld();
    await world.subscribe(['/team-messaging/v1/chats']);
    const team = await world.emulator.createChat({ accountId: world.accountId, type: 'Team', name: 'T', members: [world.alice.id] });

    await world.emulator.addMembers(team.id, [world.botId]);
    await world.emulator.addMembers(team.id, [world.bob.id]);

    const events = notifications(world.receiver)
      .map((n) => n.body.body as { id?: string; eventType?: string })
      .filter((b) => b.id === team.id)
      .map((b) => b.eventType);
    expect(events).toEqual(['GroupJoined', 'GroupChanged']);
  });

  it('are served as TMChatInfo with the REST type enum, and member objects for conversations', async () => {
    world = await startWorld();
    const chat = await world.emulator.createChat({ accountId: world.accountId, type: 'Group', members: [world.alice.id, world.bob.id, world.botId] });

    const info = (await (await world.api(`/team-messaging/v1/chats/${chat.id}`)).json()) as Record<string, unknown>;

    expect(info).toMatchObject({ id: chat.id, type: 'Group', status: 'Active' });
    expect(info.members).toEqual([{ id: world.alice.id }, { id: world.bob.id }, { id: world.botId }]);
  });

  it('promise no member list for teams, by default listing none', async () => {
    world = await startWorld();
    const team = await groupWithBot(world);
    const everyone = world.emulator.chats().find((c) => c.type === 'Everyone')!;

    for (const path of [`/team-messaging/v1/chats/${team.id}`, `/restapi/v1.0/glip/chats/${team.id}`, `/restapi/v1.0/glip/groups/${team.id}`, `/team-messaging/v1/chats/${everyone.id}`]) {
      const info = (await (await world.api(path)).json()) as Record<string, unknown>;
      expect(info.id, path).toBeDefined();
      expect(info, path).not.toHaveProperty('members');
    }
    const team2 = (await (await world.api(`/team-messaging/v1/chats/${team.id}`)).json()) as Record<string, unknown>;
    expect(team2).toMatchObject({ id: team.id, type: 'Team', name: 'Engineering', public: false, status: 'Active' });
  });

  it("list only part of a team's members with teamMembers 'partial'", async () => {
    world = await startWorld({ teamMembers: 'partial' });
    const team = await groupWithBot(world);

    const info = (await (await world.api(`/team-messaging/v1/chats/${team.id}`)).json()) as { members: { id: string }[] };

    expect(info.members).toEqual([{ id: world.botId }, { id: world.alice.id }]); // Bob is left out
  });
});

describe('conversations', () => {
  interface Conversation {
    id: string;
    type: string;
    members: { id: string }[];
  }
  const converse = async (members: object[], path = '/team-messaging/v1/conversations') =>
    (await (await world.api(path, { body: { members } })).json()) as Conversation;

  it('return the same Direct chat for the same member set, by id or by email', async () => {
    world = await startWorld();

    const first = await converse([{ id: world.alice.id }]);
    const again = await converse([{ email: 'alice@acme.test' }]);
    const legacy = await converse([{ id: world.alice.id }, { id: world.botId }], '/restapi/v1.0/glip/conversations');

    expect(first.type).toBe('Direct');
    expect(first.members.map((m) => m.id).sort()).toEqual([world.alice.id, world.botId].sort());
    expect(again.id).toBe(first.id);
    expect(legacy.id).toBe(first.id);
    expect(world.emulator.chats().filter((c) => c.type === 'Direct')).toHaveLength(1);
  });

  it('create a Group for three members and answer 404 CMN-102 for an unknown person', async () => {
    world = await startWorld();

    const group = await converse([{ id: world.alice.id }, { id: world.bob.id }]);
    const unknown = await world.api('/team-messaging/v1/conversations', { body: { members: [{ id: '424242' }] } });

    expect(group.type).toBe('Group');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ errorCode: 'CMN-102' });
  });
});

describe('persons', () => {
  it('are served as TMPersonInfo, and an unknown id is 404 CMN-102', async () => {
    world = await startWorld();

    const alice = (await (await world.api(`/team-messaging/v1/persons/${world.alice.id}`)).json()) as Record<string, unknown>;
    const missing = await world.api('/team-messaging/v1/persons/999999999');

    expect(alice).toEqual({
      id: world.alice.id,
      firstName: 'Alice',
      lastName: 'Smith',
      email: 'alice@acme.test',
      avatar: null,
      companyId: world.accountId,
      creationTime: world.alice.creationTime,
      lastModifiedTime: world.alice.lastModifiedTime,
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ errorCode: 'CMN-102' });
  });
});
