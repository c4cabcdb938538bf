import { afterEach, describe, expect, it } from 'vitest';
import { eventBodies, startWorld, type World } from './helpers.js';

let world: World;

afterEach(async () => {
  await world.close();
});

async function control(path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${world.emulator.url}/_emulator${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

describe('the /_emulator control API', () => {
  it('summarises the state without tokens or secrets', async () => {
    world = await startWorld();

    const { status, json } = await control('/state');

    expect(status).toBe(200);
    expect(json.bots).toMatchObject([{ id: world.botId, name: 'Registrar', status: 'Enabled' }]);
    expect((json.persons as { id: string }[]).map((p) => p.id)).toEqual([world.alice.id, world.bob.id]);
    const text = JSON.stringify(json);
    expect(text).not.toContain(world.token);
    expect(text).not.toContain(world.app.clientSecret);
    expect(text).not.toContain(world.app.sharedSecret);
  });

  it('opens a Direct chat with the bot, posts into it and lists posts since a time', async () => {
    world = await startWorld();
    await world.subscribe(['/team-messaging/v1/posts']);

    const direct = await control('/direct', { personId: world.alice.id, botId: world.botId });
    const again = await control('/direct', { personId: world.alice.id, botId: world.botId });
    const chatId = String(direct.json.id);
    const first = await control(`/chats/${chatId}/posts`, { personId: world.alice.id, text: 'one' });
    await new Promise((r) => setTimeout(r, 5));
    await control(`/chats/${chatId}/posts`, { personId: world.alice.id, text: 'two' });
    const since = await control(`/chats/${chatId}/posts?since=${encodeURIComponent(String(first.json.creationTime))}`);

    expect(direct.json.type).toBe('Direct');
    expect(again.json.id).toBe(chatId);
    expect(first.status).toBe(201);
    expect((since.json.records as { text: string }[]).map((p) => p.text)).toEqual(['two']);
    expect(eventBodies(world.receiver, 'PostAdded').map((b) => b.text)).toEqual(['one', 'two']);
  });

  it('lists cards with their current body and submits them on behalf of a user', async () => {
    world = await startWorld();
    const chat = await control('/chats', { accountId: world.accountId, type: 'Group', members: [world.alice.id, world.botId] });
    const chatId = String(chat.json.id);
    const created = await world.api(`/team-messaging/v1/chats/${chatId}/adaptive-cards`, {
      body: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'v1' }], actions: [{ type: 'Action.Submit', title: 'Ok' }] },
    });
    const { id: cardId } = (await created.json()) as { id: string };
    await world.api(`/team-messaging/v1/adaptive-cards/${cardId}`, {
      method: 'PUT',
      body: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'v2' }] },
    });

    const listed = await control(`/chats/${chatId}/posts`);
    const submitted = await control(`/cards/${cardId}/submit`, { personId: world.alice.id, data: { ok: true } });

    expect(listed.json.records).toMatchObject([{ type: 'Card', card: { id: cardId, version: 2, body: { body: [{ text: 'v2' }] } } }]);
    expect(submitted).toMatchObject({ status: 200, json: { status: 200 } });
    expect(world.receiver.received.some((r) => r.path === '/interactive')).toBe(true);
  });

  it('answers invalid input with 400 EMU_INVALID and unknown chats with 404 EMU_NOT_FOUND', async () => {
    world = await startWorld();

    const invalid = await control('/chats', { accountId: world.accountId, type: 'Channel', members: [] });
    const missing = await control('/chats/123/posts');

    expect(invalid).toMatchObject({ status: 400, json: { errorCode: 'EMU_INVALID' } });
    expect(missing).toMatchObject({ status: 404, json: { errorCode: 'EMU_NOT_FOUND' } });
  });
});
