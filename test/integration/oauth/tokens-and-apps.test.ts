import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../helpers/world.js';
import { createAuditLog } from '../../../src/approvals/audit-log.js';
import { newClientId } from '../../../src/registry/app-records.js';
import { activeApp, discover, oauthDraft, oauthError, oidc, REDIRECT, signInAndConsent } from '../../helpers/oauth.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** A jwt app of Alice's with a JWT credential for Bob, and openid-client set up as that app. */
async function jwtApp(over: Parameters<typeof activeApp>[1] = {}) {
  const app = await activeApp(w, { authMethod: 'jwt', redirectUris: [], refreshTokens: false, ...over });
  const { credential } = await w.bot.oauth.credentials.issue({ clientId: app.clientId, accountId: w.account.id, personId: w.bob.id, days: 30 });
  const config = await discover(w, app.clientId, app.secret);
  return { ...app, credential, config, exchange: (c = config) => oidc.genericGrantRequest(c, JWT_BEARER, { assertion: credential }) };
}

describe('tokens for resource servers: introspection and revocation', () => {
  it('introspects access and refresh tokens, and says inactive once each is revoked', async () => {
    w = await startWorld();
    const { clientId, secret } = await activeApp(w);
    const config = await discover(w, clientId, secret);
    const verifier = oidc.randomPKCECodeVerifier();
    const flow = await signInAndConsent(w, config, w.bob, { redirect_uri: REDIRECT, scope: 'ReadMessages', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.redirect!), { pkceCodeVerifier: verifier });
    const at = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(at).toMatchObject({ active: true, sub: w.bob.id, client_id: clientId, scope: 'ReadMessages', token_type: 'Bearer' });
    // The jti anyone holding the token can read is not a token: presented alone it is inactive.
    const jti = String(JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()).jti);
    expect((await oidc.tokenIntrospection(config, jti)).active).toBe(false);
    const rt = await oidc.tokenIntrospection(config, tokens.refresh_token!);
    expect(rt).toMatchObject({ active: true, sub: w.bob.id, client_id: clientId, scope: 'ReadMessages' });
    await oidc.tokenRevocation(config, tokens.access_token);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    expect((await oidc.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(false);
    expect(await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
  });

  it('answers another app of the same account, but not an app of another account, nor without credentials', async () => {
    w = await startWorld();
    const a = await jwtApp();
    const tokens = await a.exchange();
    const sibling = await activeApp(w, { authMethod: 'jwt', redirectUris: [], refreshTokens: false });
    expect((await oidc.tokenIntrospection(await discover(w, sibling.clientId, sibling.secret), tokens.access_token)).active).toBe(true);
    const other = w.emulator.createAccount({ name: 'Other' });
    const stranger = await (async () => {
      const clientId = newClientId();
      const issued = await w.bot.registry.create({ draft: oauthDraft({ authMethod: 'jwt', redirectUris: [], refreshTokens: false }), accountId: other.id, ownerId: 'x', now: w.clock.now(), clientId });
      await w.bot.registry.activate(clientId, w.clock.now());
      return { clientId, secret: issued.clientSecret };
    })();
    expect((await oidc.tokenIntrospection(await discover(w, stranger.clientId, stranger.secret), tokens.access_token)).active).toBe(false);
    const anonymous = await fetch(`${w.bot.oauth.issuer}/token/introspection`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: tokens.access_token }) });
    expect(anonymous.status).toBe(400);
  });
});

describe('apps over their life', () => {
  it('refuses a rotated-out secret, accepts the previous one during its grace, and refuses it after', async () => {
    w = await startWorld();
    const a = await jwtApp();
    const next = (await w.bot.registry.beginSecret(a.clientId, 'client'))!;
    await w.bot.registry.completeSecret(a.clientId, 'client', next.entryId, 3600_000);
    expect((await a.exchange(await discover(w, a.clientId, next.secret, 'post'))).access_token).toBeTruthy();
    expect((await a.exchange()).access_token).toBeTruthy(); // the old one, in its grace
    w.clock.advance(3601_000);
    expect(await oauthError(a.exchange())).toBe('invalid_client');
    const newest = (await w.bot.registry.beginSecret(a.clientId, 'client'))!;
    await w.bot.registry.completeSecret(a.clientId, 'client', newest.entryId, 0);
    expect(await oauthError(a.exchange(await discover(w, a.clientId, next.secret, 'post')))).toBe('invalid_client');
  });

  it.each(['suspended', 'deleted'] as const)('refuses a %s app, and its tokens are inactive', async (status) => {
    w = await startWorld();
    const a = await jwtApp();
    const tokens = await a.exchange();
    const sibling = await activeApp(w, { authMethod: 'jwt', redirectUris: [], refreshTokens: false });
    await w.bot.registry.update(a.clientId, (r) => ({ ...r, status }));
    expect(await oauthError(a.exchange())).toBe('invalid_client');
    expect((await oidc.tokenIntrospection(await discover(w, sibling.clientId, sibling.secret), tokens.access_token)).active).toBe(false);
  });

  it('ends the JWT credentials of an app that was suspended, even once it is reinstated', async () => {
    w = await startWorld();
    const a = await jwtApp();
    expect((await a.exchange()).access_token).toBeTruthy();
    await w.bot.registry.update(a.clientId, (r) => ({ ...r, status: 'suspended' }));
    await createAuditLog(w.bot.services.store, w.clock).append({ event: 'suspended', clientId: a.clientId, appName: 'x', requestId: '', actorId: w.dave.id, scopes: [], reason: 'test' });
    w.clock.advance(1000);
    await w.bot.registry.update(a.clientId, (r) => ({ ...r, status: 'active' }));
    expect(await oauthError(a.exchange())).toBe('invalid_grant');
    const [mine] = await w.bot.oauth.credentials.listFor(w.account.id, w.bob.id);
    expect(mine!.revokedAt).toBeDefined();
    // A credential made after the reinstatement works.
    const { credential } = await w.bot.oauth.credentials.issue({ clientId: a.clientId, accountId: w.account.id, personId: w.bob.id, days: 1 });
    expect((await oidc.genericGrantRequest(a.config, JWT_BEARER, { assertion: credential })).access_token).toBeTruthy();
  });

  it('puts a scope approved later in the next token, and never a pending one', async () => {
    w = await startWorld();
    const a = await jwtApp({ scopes: ['ReadMessages', 'ReadCallRecording'] });
    const before = await a.exchange();
    expect(before.scope).toBe('ReadMessages');
    const asked = await oidc.genericGrantRequest(a.config, JWT_BEARER, { assertion: a.credential, scope: 'ReadMessages ReadCallRecording' });
    expect(asked.scope).toBe('ReadMessages');
    await w.bot.registry.update(a.clientId, (r) => ({ ...r, grantedScopes: [...r.grantedScopes, 'ReadCallRecording'], pendingScopes: [] }));
    expect((await a.exchange()).scope).toBe('ReadMessages ReadCallRecording');
  });

  it('keeps each app to its own method: no jwt-bearer for a 3-legged app, no authorization code for a jwt app', async () => {
    w = await startWorld();
    const threeLegged = await activeApp(w);
    const { credential } = await w.bot.oauth.credentials.issue({ clientId: threeLegged.clientId, accountId: w.account.id, personId: w.bob.id, days: 1 });
    const config = await discover(w, threeLegged.clientId, threeLegged.secret);
    // oidc-provider: "requested grant type is not allowed for this client"
    expect(await oauthError(oidc.genericGrantRequest(config, JWT_BEARER, { assertion: credential }))).toBe('invalid_request');
    const a = await jwtApp();
    const url = oidc.buildAuthorizationUrl(a.config, { redirect_uri: REDIRECT, scope: 'ReadMessages', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.headers.get('location')).toBeNull();
    expect(res.status).toBe(400);
  });

  it('refuses a JWT credential of another app, a revoked one, an expired one, and a forged one', async () => {
    w = await startWorld();
    const a = await jwtApp();
    const b = await jwtApp();
    expect(await oauthError(oidc.genericGrantRequest(a.config, JWT_BEARER, { assertion: b.credential }))).toBe('invalid_grant');
    const [parts0, parts1] = a.credential.split('.');
    expect(await oauthError(oidc.genericGrantRequest(a.config, JWT_BEARER, { assertion: `${parts0}.${parts1}.${'A'.repeat(86)}` }))).toBe('invalid_grant');
    const mine = await w.bot.oauth.credentials.listFor(w.account.id, w.bob.id);
    await w.bot.oauth.credentials.revoke(mine.find((c) => c.clientId === a.clientId)!.id, w.account.id, w.bob.id);
    expect(await oauthError(a.exchange())).toBe('invalid_grant');
    w.clock.advance(31 * 86_400_000);
    expect(await oauthError(b.exchange())).toBe('invalid_grant');
  });
});
