import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { newClientId } from '../../../src/registry/app-records.js';
import { oauthDraft, oidc, REDIRECT, signInAndConsent } from '../../helpers/oauth.js';
import { startQuietSandbox, type Sandbox } from '../../helpers/sandbox.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('the authorization server in the sandbox', () => {
  it('signs a sandbox person in through the emulator, the link in their direct chat', async () => {
    ({ sandbox } = await startQuietSandbox());
    const { bot, emulator, meta } = sandbox;
    const clientId = newClientId();
    const { clientSecret } = await bot.registry.create({ draft: oauthDraft(), accountId: meta.accountId, ownerId: meta.people.alice!.id, now: Date.now(), clientId });
    await bot.registry.activate(clientId, Date.now());
    const config = await oidc.discovery(new URL(bot.oauth.issuer), clientId, undefined, oidc.ClientSecretBasic(clientSecret), { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const bob = { id: meta.people.bob!.id, email: 'bob@sandbox.example' };
    const flow = await signInAndConsent({ emulator, botId: (await bot.installations.list())[0]!.botId }, config, bob, { redirect_uri: REDIRECT, scope: 'ReadMessages', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.redirect!), { pkceCodeVerifier: verifier });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: bob.id, client_id: clientId });
  });
});
