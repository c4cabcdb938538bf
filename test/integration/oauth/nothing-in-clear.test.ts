import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { activeApp, discover, oidc, REDIRECT, signInAndConsent, signInLinkFor } from '../../helpers/oauth.js';
import { startWorld, type World } from '../../helpers/world.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

/** Every file under a folder, as text. */
function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, text: readFileSync(path, 'latin1') }];
  });
}

describe('secrets of the authorization server at rest and in the logs', () => {
  it('keeps no token, code, sign-in link, JWT credential or client secret in clear in DATA_DIR or the logs', async () => {
    w = await startWorld();
    const oauthApp = await activeApp(w);
    const config = await discover(w, oauthApp.clientId, oauthApp.secret, 'post');
    const verifier = oidc.randomPKCECodeVerifier();
    const flow = await signInAndConsent(w, config, w.bob, { redirect_uri: REDIRECT, scope: 'ReadMessages', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const callback = new URL(flow.redirect!);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const jwtApp = await activeApp(w, { authMethod: 'jwt', redirectUris: [], refreshTokens: false });
    const dm = await w.dm(w.carol);
    await w.say(w.carol, dm.id, `create jwt ${jwtApp.clientId}`);
    const credential = JSON.stringify(w.botCards(dm.id).at(-1)!.body).match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/)![0];
    const jwtTokens = await oidc.genericGrantRequest(await discover(w, jwtApp.clientId, jwtApp.secret), 'urn:ietf:params:oauth:grant-type:jwt-bearer', { assertion: credential });
    await oidc.tokenIntrospection(config, refreshed.access_token);
    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    await w.stop();

    const link = signInLinkFor(w, w.bob.id)!;
    const secrets: Record<string, string> = {
      code: callback.searchParams.get('code')!,
      'access token': tokens.access_token,
      'refresh token': tokens.refresh_token!,
      'rotated refresh token': refreshed.refresh_token!,
      'jwt-bearer access token': jwtTokens.access_token,
      'JWT credential': credential,
      'its signature': credential.split('.')[2]!,
      'sign-in link token': link.split('/signin/')[1]!,
      'client secret': oauthApp.secret,
      'jwt app secret': jwtApp.secret,
      'interaction uid': new URL(flow.start.url).pathname.split('/').at(-1)!,
      ...Object.fromEntries([...flow.b.jar].filter(([k]) => !k.endsWith('.sig')).map(([k, v]) => [`cookie ${k}`, v])),
    };
    const files = filesUnder(w.dataDir);
    expect(files.length).toBeGreaterThan(0);
    // The test looks where they would be: the store holds the authorization server's records.
    expect(files.some((f) => f.text.includes('RefreshToken') && f.text.includes('jwt-credentials'))).toBe(true);
    for (const [what, value] of Object.entries(secrets)) {
      expect(value.length, what).toBeGreaterThan(10);
      for (const f of files) expect(f.text.includes(value), `${what} in ${f.path}`).toBe(false);
      for (const line of w.logs) expect(line.includes(value), `${what} in the log`).toBe(false);
    }
  });
});
