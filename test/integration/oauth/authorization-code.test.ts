import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../helpers/world.js';
import { activeApp, browser, discover, formAction, oauthError, oidc, REDIRECT, signInAndConsent, signInLinkFor } from '../../helpers/oauth.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

async function pkce() {
  const verifier = oidc.randomPKCECodeVerifier();
  return { verifier, challenge: await oidc.calculatePKCECodeChallenge(verifier), state: oidc.randomState() };
}

describe('3-legged OAuth: authorization code with PKCE, signed in through chat', () => {
  it('signs Bob in with a link sent to him in chat, shows the consent page, and issues tokens that refresh once each', async () => {
    w = await startWorld();
    const { clientId, secret } = await activeApp(w, { scopes: ['ReadMessages', 'ReadCallRecording'] });
    const config = await discover(w, clientId, secret);
    const { verifier, challenge, state } = await pkce();
    const flow = await signInAndConsent(w, config, w.bob, { redirect_uri: REDIRECT, scope: 'ReadMessages ReadCallRecording', code_challenge: challenge, code_challenge_method: 'S256', state });
    // Who are you, then check your chat: the same words whoever typed the address.
    expect(flow.start.html).toContain('Expense &#60;b&#62;Sync&#60;&#47;b&#62;');
    expect(flow.start.html).not.toContain('<b>Sync');
    expect(flow.check!.html).toContain('If that address belongs to someone in this RingCentral account');
    // Consent: the display name (escaped), the icon, the scope the app holds; never the pending one.
    expect(flow.consent!.html).toContain('<img src="https:&#47;&#47;cdn.example.com&#47;icon.png"');
    expect(flow.consent!.html).toContain('ReadMessages');
    expect(flow.consent!.html).not.toContain('ReadCallRecording');
    const callback = new URL(flow.redirect!);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: w.bob.id, client_id: clientId, scope: 'ReadMessages' });
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.refresh_token).toBeTruthy();

    // Refresh: a new refresh token each time; the old one, used again, ends the whole family.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(decodeJwt(refreshed.access_token).scope).toBe('ReadMessages');
    expect(await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
    expect(await oauthError(oidc.refreshTokenGrant(config, refreshed.refresh_token!))).toBe('invalid_grant');
    const intro = await oidc.tokenIntrospection(config, refreshed.access_token);
    expect(intro.active).toBe(false);
  });

  it('lets at most one of two uses of a refresh token at the same moment through, and then ends the family', async () => {
    w = await startWorld();
    const { clientId, secret } = await activeApp(w);
    const config = await discover(w, clientId, secret);
    const { verifier, challenge, state } = await pkce();
    const flow = await signInAndConsent(w, config, w.bob, { redirect_uri: REDIRECT, scope: 'ReadMessages', code_challenge: challenge, code_challenge_method: 'S256', state });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.redirect!), { pkceCodeVerifier: verifier, expectedState: state });
    const both = await Promise.allSettled([oidc.refreshTokenGrant(config, tokens.refresh_token!), oidc.refreshTokenGrant(config, tokens.refresh_token!)]);
    const won = both.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(won.length).toBeLessThanOrEqual(1);
    for (const r of won) expect(await oauthError(oidc.refreshTokenGrant(config, r.refresh_token!))).toBe('invalid_grant');
  });

  it('leaves a scope the app no longer holds out of the next refreshed token, and puts a newly granted one in the next consent', async () => {
    w = await startWorld();
    const { clientId, secret } = await activeApp(w, { scopes: ['ReadMessages', 'ReadCallRecording'] });
    const config = await discover(w, clientId, secret);
    const first = await pkce();
    const flow = await signInAndConsent(w, config, w.bob, { redirect_uri: REDIRECT, scope: 'ReadMessages ReadCallRecording', code_challenge: first.challenge, code_challenge_method: 'S256', state: first.state });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.redirect!), { pkceCodeVerifier: first.verifier, expectedState: first.state });
    expect(tokens.scope).toBe('ReadMessages');
    await w.bot.registry.update(clientId, (r) => ({ ...r, grantedScopes: ['ReadCallRecording'], pendingScopes: [] }));
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(decodeJwt(refreshed.access_token).scope).toBeUndefined();
    const second = await pkce();
    const again = await signInAndConsent(w, config, w.bob, { redirect_uri: REDIRECT, scope: 'ReadMessages ReadCallRecording', code_challenge: second.challenge, code_challenge_method: 'S256', state: second.state });
    expect(again.consent!.html).toContain('ReadCallRecording');
    const next = await oidc.authorizationCodeGrant(config, new URL(again.redirect!), { pkceCodeVerifier: second.verifier, expectedState: second.state });
    expect(decodeJwt(next.access_token).scope).toBe('ReadCallRecording');
  });

  it('gives no refresh token to an app registered without refresh tokens', async () => {
    w = await startWorld();
    const { clientId, secret } = await activeApp(w, { refreshTokens: false });
    const config = await discover(w, clientId, secret, 'post');
    const { verifier, challenge, state } = await pkce();
    const flow = await signInAndConsent(w, config, w.bob, { redirect_uri: REDIRECT, scope: 'ReadMessages offline_access', code_challenge: challenge, code_challenge_method: 'S256', state });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.redirect!), { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('sends no link for an address nobody in the account has, and answers the same', async () => {
    w = await startWorld();
    const outsiderAccount = w.emulator.createAccount({ name: 'Other' });
    const outsider = w.emulator.addPerson({ accountId: outsiderAccount.id, firstName: 'Olga', lastName: 'Out', email: 'olga@other.example' });
    const { clientId, secret } = await activeApp(w);
    const config = await discover(w, clientId, secret);
    const { challenge, state } = await pkce();
    const b = browser();
    const start = await b.go(oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'ReadMessages', code_challenge: challenge, code_challenge_method: 'S256', state }).href);
    const pages = [];
    for (const email of ['nobody@acme.example', 'olga@other.example', 'carol@acme.example']) {
      pages.push((await b.go(formAction(start.html, start.url, '/identify'), { form: { email } })).html);
    }
    expect(new Set(pages).size).toBe(1);
    await w.emulator.waitFor(() => signInLinkFor(w, w.carol.id) !== undefined, { message: 'no link for Carol' });
    expect(signInLinkFor(w, outsider.id)).toBeUndefined();
  });

  it('accepts a sign-in link once, and only in the browser that asked for it', async () => {
    w = await startWorld();
    const { clientId, secret } = await activeApp(w);
    const config = await discover(w, clientId, secret);
    const { challenge, state } = await pkce();
    const b = browser();
    const start = await b.go(oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'ReadMessages', code_challenge: challenge, code_challenge_method: 'S256', state }).href);
    await b.go(formAction(start.html, start.url, '/identify'), { form: { email: w.bob.email } });
    await w.emulator.waitFor(() => signInLinkFor(w, w.bob.id) !== undefined, { message: 'no link' });
    const link = signInLinkFor(w, w.bob.id)!;
    const elsewhere = await browser().go(link);
    expect(elsewhere.status).toBe(400);
    const first = await b.go(link);
    expect(first.html).toContain('asks for these permissions');
    const again = await b.send(link);
    expect(again.status).toBe(400);
  });

  it('refuses another redirect URI, a prefix of the registered one, and a request without PKCE, redirecting nowhere', async () => {
    w = await startWorld();
    const { clientId, secret } = await activeApp(w);
    const config = await discover(w, clientId, secret);
    const { challenge, state } = await pkce();
    for (const redirect_uri of ['https://evil.example.com/callback', 'https://app.example.com/call', `${REDIRECT}/more`, `${REDIRECT}?x=1`]) {
      const res = await browser().go(oidc.buildAuthorizationUrl(config, { redirect_uri, scope: 'ReadMessages', code_challenge: challenge, code_challenge_method: 'S256', state }).href);
      expect(res.location, redirect_uri).toBeNull();
      expect(res.html).toContain('redirect_uri');
    }
    const noPkce = await browser().go(oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'ReadMessages', state }).href);
    expect(new URL(noPkce.location!).searchParams.get('error')).toBe('invalid_request');
    const plain = await browser().go(oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'ReadMessages', code_challenge: challenge, code_challenge_method: 'plain', state }).href);
    expect(new URL(plain.location!).searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses a code with a missing or wrong verifier, and a code used twice', async () => {
    w = await startWorld();
    const { clientId, secret } = await activeApp(w);
    const config = await discover(w, clientId, secret);
    const codeFor = async () => {
      const p = await pkce();
      const flow = await signInAndConsent(w, config, w.bob, { redirect_uri: REDIRECT, scope: 'ReadMessages', code_challenge: p.challenge, code_challenge_method: 'S256', state: p.state });
      return { ...p, callback: new URL(flow.redirect!) };
    };
    const token = (code: string, extra: Record<string, string>) => oidc.genericGrantRequest(config, 'authorization_code', { code, redirect_uri: REDIRECT, ...extra });
    const a = await codeFor();
    expect(await oauthError(token(a.callback.searchParams.get('code')!, {}))).toBe('invalid_grant');
    const b = await codeFor();
    expect(await oauthError(token(b.callback.searchParams.get('code')!, { code_verifier: oidc.randomPKCECodeVerifier() }))).toBe('invalid_grant');
    const c = await codeFor();
    const ok = await token(c.callback.searchParams.get('code')!, { code_verifier: c.verifier });
    expect(ok.access_token).toBeTruthy();
    expect(await oauthError(token(c.callback.searchParams.get('code')!, { code_verifier: c.verifier }))).toBe('invalid_grant');
    // A code used twice also ends what the first use issued.
    expect((await oidc.tokenIntrospection(config, ok.access_token)).active).toBe(false);
  });
});
