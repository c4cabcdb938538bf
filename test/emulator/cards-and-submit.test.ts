import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { eventBodies, startWorld, type World } from './helpers.js';

let world: World;

afterEach(async () => {
  await world.close();
});

const card = (actions: unknown[] = [{ type: 'Action.Submit', title: 'Go', data: { action: 'go' } }]) => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.3',
  body: [{ type: 'TextBlock', text: 'Hello' }, { type: 'Input.Text', id: 'appName' }],
  actions,
});

async function chatWithBot(w: World) {
  return w.emulator.createChat({ accountId: w.accountId, type: 'Group', members: [w.alice.id, w.bob.id, w.botId] });
}

async function postCard(w: World, chatId: string, body: unknown = card()) {
  return w.api(`/team-messaging/v1/chats/${chatId}/adaptive-cards`, { body });
}

describe('adaptive cards', () => {
  it('are created with AdaptiveCardShortInfo, a card id distinct from post ids, and echoed as a Card post', async () => {
    world = await startWorld();
    await world.subscribe(['/team-messaging/v1/posts']);
    const chat = await chatWithBot(world);

    const res = await postCard(world, chat.id);

    expect(res.status).toBe(201);
    const info = (await res.json()) as Record<string, unknown>;
    expect(info).toMatchObject({ type: 'AdaptiveCard', version: '1.3', creator: { id: world.botId }, chatIds: [chat.id] });
    const echo = await world.emulator.waitFor(() => eventBodies(world.receiver, 'PostAdded')[0]);
    expect(echo).toMatchObject({ type: 'Card', text: null, creatorId: world.botId, attachments: [{ id: info.id, type: 'Card' }] });
    expect(echo.id).not.toBe(info.id);
  });

  it('reject Action.Execute anywhere in the card with 400 CMN-101', async () => {
    world = await startWorld();
    const chat = await chatWithBot(world);
    const inner = { type: 'AdaptiveCard', body: [], actions: [{ type: 'Action.Execute', title: 'x' }] };
    const nested = card([{ type: 'Action.ShowCard', title: 'More', card: inner }]);

    const top = await postCard(world, chat.id, card([{ type: 'Action.Execute', title: 'x' }]));
    const deep = await postCard(world, chat.id, nested);
    const notACard = await postCard(world, chat.id, { type: 'MessageCard', body: [] });

    expect(top.status).toBe(400);
    expect(await top.json()).toMatchObject({
      errorCode: 'CMN-101',
      errors: [{ errorCode: 'CMN-101', parameterName: 'actions[0].type' }],
    });
    expect(deep.status).toBe(400);
    expect(notACard.status).toBe(400);
    expect(world.emulator.cards()).toEqual([]);
  });

  it('are replaced by PUT from their creator only, keeping the version history', async () => {
    world = await startWorld();
    const chat = await chatWithBot(world);
    const { id } = (await (await postCard(world, chat.id)).json()) as { id: string };
    const other = world.emulator.registerApp({ name: 'Other', kind: 'private', redirectUri: `${world.receiver.url}/oauth` });
    const intruder = await world.emulator.installBot({ clientId: other.clientId, accountId: world.accountId, installerId: world.bob.id });
    const replacement = { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'Done' }] };

    const path = `/team-messaging/v1/adaptive-cards/${id}`;
    const forbidden = await world.api(path, { method: 'PUT', body: replacement, token: intruder.accessToken });
    const ok = await world.api(path, { method: 'PUT', body: replacement });
    const got = (await (await world.api(`/team-messaging/v1/adaptive-cards/${id}`)).json()) as Record<string, unknown>;

    expect(forbidden.status).toBe(403);
    expect(ok.status).toBe(200);
    expect(got).toMatchObject({ id, body: [{ type: 'TextBlock', text: 'Done' }], version: '1.3' });
    expect(got).not.toHaveProperty('actions');
    const stored = world.emulator.card(id);
    expect(stored?.versions.map((v) => v.body.body)).toEqual([card().body, replacement.body]);
  });
});

describe('submitting a card', () => {
  it('POSTs compact JSON to the outbound webhook signed with HMAC-SHA1 over the exact bytes', async () => {
    world = await startWorld();
    const chat = await chatWithBot(world);
    const { id } = (await (await postCard(world, chat.id)).json()) as { id: string };
    world.receiver.handle((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ type: 'dialog', dialog: { title: 'Hi', iconURL: 'https://bot.example/icon.png', card: card() } }));
    });

    const result = await world.emulator.submit({ cardId: id, personId: world.bob.id, data: { action: 'go', appName: 'x' } });

    const req = world.receiver.received.find((r) => r.path === '/interactive');
    const expected = createHmac('sha1', world.app.sharedSecret).update(req?.rawBody ?? '').digest('hex');
    expect(req?.headers['x-glip-signature']).toBe(expected);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.rawBody).toBe(JSON.stringify(JSON.parse(req?.rawBody ?? '')));
    expect(JSON.parse(req?.rawBody ?? '')).toMatchObject({
      type: 'button_submit',
      appId: world.app.clientId,
      user: { id: world.bob.id, extId: world.bob.id, firstName: 'Bob', lastName: 'Jones', accountId: world.accountId },
      conversation: { id: chat.id, type: 'GROUP' },
      card: { id },
      bot: { id: world.botId },
      data: { action: 'go', appName: 'x' },
    });
    expect(result).toMatchObject({ status: 200, body: { type: 'dialog', dialog: { title: 'Hi' } }, dialog: { title: 'Hi' }, dialogError: null });
  });

  it('refuses a dialog without a title or an icon, says why, and records it', async () => {
    world = await startWorld();
    const chat = await chatWithBot(world);
    const { id } = (await (await postCard(world, chat.id)).json()) as { id: string };
    const icon = 'https://bot.example/icon.png';
    const answers: [Record<string, unknown>, string | null][] = [
      [{ title: 'Hi', iconURL: icon, size: 'small', card: card() }, null],
      [{ title: 'Hi', iFrameURL: 'https://bot.example/frame', iconURL: icon }, null],
      [{ title: 'Hi', size: 'small', card: card() }, 'dialog.iconURL is required'],
      [{ iconURL: icon, card: card() }, 'dialog.title is required'],
      [{ title: '  ', iconURL: icon, card: card() }, 'dialog.title is required'],
      [{ title: 'Hi', iconURL: 'icon.png', card: card() }, 'dialog.iconURL must be an http(s) URL'],
      [{ title: 'Hi', iconURL: icon }, 'dialog needs a card or an iframeURL'],
    ];
    for (const [dialog, error] of answers) {
      world.receiver.handle((_req, res) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ type: 'dialog', dialog }));
      });
      const result = await world.emulator.submit({ cardId: id, personId: world.bob.id, data: { action: 'go' } });
      expect(result.dialogError, JSON.stringify(dialog)).toBe(error);
      expect(result.dialog).toEqual(error === null ? dialog : null);
    }
    expect(world.emulator.dialogs.map((d) => d.error)).toEqual(answers.map(([, error]) => error));
  });

  it('opens no dialog and records nothing for an empty 200', async () => {
    world = await startWorld();
    const chat = await chatWithBot(world);
    const { id } = (await (await postCard(world, chat.id)).json()) as { id: string };
    world.receiver.handle((_req, res) => void res.end());
    const result = await world.emulator.submit({ cardId: id, personId: world.bob.id, data: { action: 'go' } });
    expect(result).toMatchObject({ status: 200, dialog: null, dialogError: null });
    expect(world.emulator.dialogs).toEqual([]);
  });

  it('can resend the same uuid and use the sha1= signature prefix', async () => {
    world = await startWorld();
    const chat = await chatWithBot(world);
    const { id } = (await (await postCard(world, chat.id)).json()) as { id: string };

    const signed = world.emulator.signedSubmitRequest({
      cardId: id,
      personId: world.alice.id,
      data: {},
      uuid: 'u-1',
      signaturePrefix: true,
    });

    expect(signed.url).toBe(`${world.receiver.url}/interactive`);
    expect(signed.payload.uuid).toBe('u-1');
    expect(signed.headers['X-Glip-Signature']).toBe(
      `sha1=${createHmac('sha1', world.app.sharedSecret).update(signed.body).digest('hex')}`,
    );
  });
});
