import { afterEach, describe, expect, it } from 'vitest';
import { activeApp, discover, oauthError, oidc, REDIRECT, signInAndConsent } from '../../helpers/oauth.js';
import { freshSchema, postgresUrl, rawQuery } from '../../helpers/postgres.js';
import { startWorld, type World } from '../../helpers/world.js';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe('the authorization server with DATABASE_URL', () => {
  it('keeps codes, tokens and keys in PostgreSQL, sealed, and goes on after a restart', async () => {
    const schema = freshSchema();
    await rawQuery(`CREATE SCHEMA "${schema}"`);
    const url = new URL(postgresUrl());
    url.searchParams.set('options', `-c search_path=${schema}`);
    w = await startWorld({ env: { DATABASE_URL: url.toString(), REGISTRAR_SECRET_KEY: 'cd'.repeat(32), RINGCENTRAL_VERIFICATION_TOKEN: 'the-same-token-on-every-instance' } });
    const { clientId, secret } = await activeApp(w);
    const config = await discover(w, clientId, secret);
    const verifier = oidc.randomPKCECodeVerifier();
    const flow = await signInAndConsent(w, config, w.bob, { redirect_uri: REDIRECT, scope: 'ReadMessages', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.redirect!), { pkceCodeVerifier: verifier });

    const rows = await rawQuery<{ collection: string; body: string }>(`SELECT collection, body FROM "${schema}".registrar_documents`);
    expect(rows.filter((r) => r.collection === 'oauth').length).toBeGreaterThan(0);
    const all = rows.map((r) => r.body).join('\n');
    for (const value of [tokens.access_token, tokens.refresh_token!, new URL(flow.redirect!).searchParams.get('code')!]) expect(all).not.toContain(value);

    await w.stop();
    await w.start();
    const again = await discover(w, clientId, secret);
    const refreshed = await oidc.refreshTokenGrant(again, tokens.refresh_token!);
    expect((await oidc.tokenIntrospection(again, refreshed.access_token)).active).toBe(true);
    expect(await oauthError(oidc.refreshTokenGrant(again, tokens.refresh_token!))).toBe('invalid_grant');
  });
});
