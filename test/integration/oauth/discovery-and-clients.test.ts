import { decodeJwt, decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../helpers/world.js';
import { activeApp, discover, oauthError, oidc } from '../../helpers/oauth.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

describe('the authorization server, found and used by openid-client', () => {
  it('publishes discovery at the issuer and at the RFC 8414 path, and a JWKS with an ES256 and an RS256 key', async () => {
    w = await startWorld();
    const { clientId, secret } = await activeApp(w, { authMethod: 'jwt', redirectUris: [], refreshTokens: false });
    const config = await discover(w, clientId, secret);
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(`${w.env.BOT_PUBLIC_URL}/oauth`);
    expect(meta.token_endpoint).toBe(`${w.env.BOT_PUBLIC_URL}/oauth/token`);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer']));
    expect(meta.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post']);
    const rfc8414 = await request(w.bot.url).get('/.well-known/oauth-authorization-server/oauth');
    expect(rfc8414.status).toBe(200);
    expect(rfc8414.body.issuer).toBe(meta.issuer);
    const jwks = await request(w.bot.url).get('/oauth/jwks');
    expect(jwks.body.keys.map((k: { alg: string }) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(jwks.body.keys.every((k: Record<string, unknown>) => k.d === undefined)).toBe(true);
    // Only what the issue asks for is offered: no logout, DPoP or pushed authorization requests.
    expect(meta.end_session_endpoint).toBeUndefined();
    expect(meta.dpop_signing_alg_values_supported).toBeUndefined();
    expect(meta.pushed_authorization_request_endpoint).toBeUndefined();
    // A forged Host does not move the endpoints discovery names.
    const forged = await request(w.bot.url).get('/oauth/.well-known/openid-configuration').set('Host', 'evil.example.com');
    expect(forged.body.token_endpoint).toBe(meta.token_endpoint);
    expect(JSON.stringify(forged.body)).not.toContain('evil.example.com');
  });

  it('keeps the signing keys across a restart, and a rotation publishes the new and the previous ones', async () => {
    w = await startWorld();
    const before = (await request(w.bot.url).get('/oauth/jwks')).body.keys.map((k: { kid: string }) => k.kid);
    await w.stop();
    await w.start();
    const again = (await request(w.bot.url).get('/oauth/jwks')).body.keys.map((k: { kid: string }) => k.kid);
    expect(again).toEqual(before);
    await w.stop();
    w.clock.advance(91 * 86_400_000);
    await w.start();
    const rotated = (await request(w.bot.url).get('/oauth/jwks')).body.keys.map((k: { kid: string }) => k.kid);
    expect(rotated).toHaveLength(4);
    expect(rotated.slice(2)).toEqual(before);
  });

  it.each(['basic', 'post'] as const)('issues an RFC 9068 access token to a jwt app authenticating with client_secret_%s, refusing a wrong secret', async (style) => {
    w = await startWorld();
    const { clientId, secret } = await activeApp(w, { authMethod: 'jwt', redirectUris: [], refreshTokens: false });
    const credential = await w.bot.oauth.credentials.issue({ clientId, accountId: w.account.id, personId: w.bob.id, days: 30 });
    const config = await discover(w, clientId, secret, style);
    const tokens = await oidc.genericGrantRequest(config, 'urn:ietf:params:oauth:grant-type:jwt-bearer', { assertion: credential.credential });
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ iss: `${w.env.BOT_PUBLIC_URL}/oauth`, aud: `${w.env.BOT_PUBLIC_URL}/oauth/api`, sub: w.bob.id, client_id: clientId, scope: 'ReadMessages' });
    expect(tokens.expires_in).toBe(3600);
    const wrong = await discover(w, clientId, `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`, style);
    expect(await oauthError(oidc.genericGrantRequest(wrong, 'urn:ietf:params:oauth:grant-type:jwt-bearer', { assertion: credential.credential }))).toBe('invalid_client');
  });
});
