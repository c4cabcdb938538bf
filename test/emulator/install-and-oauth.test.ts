import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { startReceiver, type Receiver } from './helpers.js';

let emulator: Emulator;
let receiver: Receiver;

afterEach(async () => {
  await emulator.close();
  await receiver.close();
});

async function setup(kind: 'private' | 'public') {
  emulator = await startEmulator();
  receiver = await startReceiver();
  const account = emulator.createAccount();
  const alice = emulator.addPerson({ accountId: account.id, firstName: 'Alice', lastName: 'Smith', email: 'a@x.test' });
  const app = emulator.registerApp({ name: 'Registrar', kind, redirectUri: `${receiver.url}/oauth` });
  return { account, alice, app };
}

function basic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
}

function exchange(clientId: string, secret: string, code: string, redirectUri: string): Promise<Response> {
  return fetch(`${emulator.url}/restapi/oauth/token`, {
    method: 'POST',
    headers: { Authorization: basic(clientId, secret), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).toString(),
  });
}

describe('installing a private bot', () => {
  it('POSTs the permanent token form-urlencoded to the redirect URI and returns the status the bot answered', async () => {
    const { account, alice, app } = await setup('private');
    receiver.handle((_req, res) => {
      res.statusCode = 202;
      res.end('ok');
    });

    const result = await emulator.installBot({ clientId: app.clientId, accountId: account.id, installerId: alice.id });

    expect(result.status).toBe(202);
    const [req] = receiver.received;
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req?.rawBody))).toEqual({
      access_token: result.accessToken,
      creator_extension_id: alice.id,
      creator_account_id: account.id,
      client_id: app.clientId,
    });
  });

  it('creates the bot as a person named after the app, in All Employees and its PersonalChat, with a numeric extension id', async () => {
    const { account, alice, app } = await setup('private');
    const { botId, accessToken } = await emulator.installBot({
      clientId: app.clientId,
      accountId: account.id,
      installerId: alice.id,
    });

    expect(emulator.person(botId)).toMatchObject({ firstName: 'Registrar', lastName: 'Bot', companyId: account.id, avatar: null });
    const types = emulator.chats().filter((c) => c.members.includes(botId)).map((c) => c.type);
    expect(types.sort()).toEqual(['Everyone', 'Personal']);
    const res = await fetch(`${emulator.url}/restapi/v1.0/account/~/extension/~`, {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    const ext = (await res.json()) as { id: unknown; type: string; account: { id: string } };
    expect(ext.id).toBe(Number(botId));
    expect(ext.type).toBe('Bot');
    expect(ext.account.id).toBe(account.id);
  });
});

describe('installing a public bot', () => {
  it('sends a one-time code by GET that the bot exchanges for a token without a refresh token', async () => {
    const { account, alice, app } = await setup('public');
    let tokenBody: Record<string, unknown> = {};
    receiver.handle(async (req, res) => {
      const code = req.query.get('code') ?? '';
      const r = await exchange(app.clientId, app.clientSecret, code, app.redirectUri);
      tokenBody = (await r.json()) as Record<string, unknown>;
      res.statusCode = r.status;
      res.end();
    });

    const result = await emulator.installBot({ clientId: app.clientId, accountId: account.id, installerId: alice.id });

    expect(result.status).toBe(200);
    expect(receiver.received[0]?.method).toBe('GET');
    expect(receiver.received[0]?.query.get('creator_extension_id')).toBe(alice.id);
    expect(receiver.received[0]?.query.get('creator_account_id')).toBe(account.id);
    expect(tokenBody).toMatchObject({
      access_token: result.accessToken,
      token_type: 'bearer',
      expires_in: 2147483647,
      owner_id: result.botId,
    });
    expect(tokenBody).not.toHaveProperty('refresh_token');
  });

  it('rejects a mismatched redirect URI with OAU-109 and an unknown code with invalid_grant', async () => {
    const { account, alice, app } = await setup('public');
    let code = '';
    receiver.handle((req, res) => {
      code = req.query.get('code') ?? '';
      res.end();
    });
    await emulator.installBot({ clientId: app.clientId, accountId: account.id, installerId: alice.id });

    const mismatch = await exchange(app.clientId, app.clientSecret, code, `${app.redirectUri}/other`);
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toMatchObject({
      error: 'invalid_grant',
      errorCode: 'OAU-109',
      message: 'Redirect URIs do not match',
      errors: [{ errorCode: 'OAU-109', message: 'Redirect URIs do not match' }],
    });

    const bogus = await exchange(app.clientId, app.clientSecret, 'not-a-code', app.redirectUri);
    expect(bogus.status).toBe(400);
    expect(await bogus.json()).toMatchObject({ error: 'invalid_grant', errorCode: 'OAU-106' });

    // The code survived the failed attempts and is single-use.
    expect((await exchange(app.clientId, app.clientSecret, code, app.redirectUri)).status).toBe(200);
    expect((await exchange(app.clientId, app.clientSecret, code, app.redirectUri)).status).toBe(400);
  });

  it('rejects wrong client credentials with 401 invalid_client', async () => {
    const { account, alice, app } = await setup('public');
    let code = '';
    receiver.handle((req, res) => {
      code = req.query.get('code') ?? '';
      res.end();
    });
    await emulator.installBot({ clientId: app.clientId, accountId: account.id, installerId: alice.id });

    const res = await exchange(app.clientId, 'wrong-secret', code, app.redirectUri);

    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client', errorCode: 'OAU-146' });
  });
});
