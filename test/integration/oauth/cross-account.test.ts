import { afterEach, describe, expect, it } from 'vitest';
import { newClientId } from '../../../src/registry/app-records.js';
import { startWorld, type World } from '../../helpers/world.js';
import { activeApp, discover, formAction, oauthDraft, oidc, REDIRECT, signInAndConsent } from '../../helpers/oauth.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

describe('a sign-in belongs to its account', () => {
  it("a browser signed in for one account's app cannot consent for another account's app", async () => {
    w = await startWorld();
    const mine = await activeApp(w);
    const other = w.emulator.createAccount({ name: 'Other' });
    const clientId = newClientId();
    const issued = await w.bot.registry.create({ draft: oauthDraft(), accountId: other.id, ownerId: 'x', now: w.clock.now(), clientId });
    await w.bot.registry.activate(clientId, w.clock.now());
    const configA = await discover(w, mine.clientId, mine.secret);
    const configB = await discover(w, clientId, issued.clientSecret);
    const pkce = async () => {
      const verifier = oidc.randomPKCECodeVerifier();
      return { verifier, params: { redirect_uri: REDIRECT, scope: 'ReadMessages', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' } };
    };
    const first = await pkce();
    const flow = await signInAndConsent(w, configA, w.bob, first.params);
    expect(flow.redirect).toBeDefined();
    // The same browser (its session cookie) goes to the other account's app.
    const second = await pkce();
    const page = await flow.b.go(oidc.buildAuthorizationUrl(configB, second.params).href);
    expect(page.status).toBe(403);
    expect(page.html).toContain('signed in as someone of another RingCentral account');
    expect(page.html).not.toContain('/allow');
    expect(() => formAction(page.html, page.url, '/allow')).toThrow();
  });
});
