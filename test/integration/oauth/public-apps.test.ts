import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import type { Person } from '../../../src/emulator/model.js';
import type { PublicReview } from '../../../src/registry/app-records.js';
import { activeApp, browser, discover, formAction, oauthError, oidc, REDIRECT, signInAndConsent, signInLinkFor } from '../../helpers/oauth.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const JWT_TEXT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

/** Another account, Globex, with Mallory in it and the bot installed there too; returns her and that bot's id. */
async function globex(world: World): Promise<{ mallory: Person; botId: string; accountId: string }> {
  const other = world.emulator.createAccount({ name: 'Globex' });
  const mallory = world.emulator.addPerson({ accountId: other.id, firstName: 'Mallory', lastName: 'Marsh', email: 'mallory@globex.example' });
  await world.emulator.installBot({ clientId: world.app.clientId, accountId: other.id, installerId: mallory.id });
  await world.bot.installations.idle();
  const installation = await world.bot.installations.get(other.id);
  return { mallory, botId: installation!.botId, accountId: other.id };
}

/** Alice's public app in the given review state (the registry as a registration and a decision leave it). */
async function publicApp(world: World, review: PublicReview['status'] | 'private', over: Record<string, unknown> = {}) {
  const app = await activeApp(world, { access: review === 'private' ? 'private' : 'public', ...over });
  if (review !== 'private' && review !== 'pending') {
    await world.bot.registry.update(app.clientId, (cur) => ({ ...cur, publicReview: { status: review, at: new Date(world.clock.now()).toISOString(), by: world.dave.id, reason: review === 'rejected' ? 'No.' : null } }));
  }
  return app;
}

const pkce = async () => {
  const verifier = oidc.randomPKCECodeVerifier();
  return { verifier, params: { redirect_uri: REDIRECT, scope: 'ReadMessages offline_access', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', prompt: 'consent' } };
};

/**
 * Mallory asks for a sign-in link on the app's page, then Carol (of the app's account) does: once
 * Carol's link is there, Mallory's request (asked first, no longer to handle) was handled too.
 */
async function askForLink(world: World, clientId: string, secret: string, mallory: Person) {
  const config = await discover(world, clientId, secret);
  const ask = async (email: string) => {
    const b = browser();
    const start = await b.go(oidc.buildAuthorizationUrl(config, (await pkce()).params).href);
    return b.go(formAction(start.html, start.url, '/identify'), { form: { email } });
  };
  const before = signInLinkFor(world, world.carol.id);
  const check = await ask(mallory.email);
  await ask(world.carol.email);
  await world.emulator.waitFor(() => signInLinkFor(world, world.carol.id) !== before, { message: 'no sign-in link for Carol' });
  await world.emulator.settle();
  const anyLink = world.emulator.posts().some((p) => (p.text ?? '').includes('/signin/') && world.emulator.chat(p.groupId)?.members.includes(mallory.id));
  return { check, anyLink };
}

describe('a public app and people of other accounts', () => {
  it('lets a person of another account where the bot is installed sign in, consent (told whose app it is) and get a token, once an admin approved it going public', async () => {
    w = await startWorld();
    const { mallory, botId, accountId } = await globex(w);
    const app = await publicApp(w, 'approved');
    const config = await discover(w, app.clientId, app.secret);
    const { verifier, params } = await pkce();
    const flow = await signInAndConsent({ emulator: w.emulator, botId }, config, mallory, params);
    // The link came from the bot in Mallory's own account, in her direct chat there.
    const link = w.emulator.posts({ creatorId: botId }).find((p) => (p.text ?? '').includes('/signin/'))!;
    expect(w.emulator.chat(link.groupId)).toMatchObject({ type: 'Direct', members: expect.arrayContaining([mallory.id, botId]) });
    expect(w.emulator.chat(link.groupId)!.members).toHaveLength(2);
    expect(flow.consent!.html).toContain(`This app belongs to another RingCentral account (account ${w.account.id})`);
    expect(flow.start.html).toContain('people of any RingCentral account where Registrar is installed');
    const tokens = await oidc.authorizationCodeGrant(config, new URL(flow.redirect!), { pkceCodeVerifier: verifier, expectedState: undefined, idTokenExpected: false });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: mallory.id, client_id: app.clientId, scope: 'ReadMessages' });
    expect(accountId).not.toBe(w.account.id);

    // Made private again, the app stops serving her: her refresh token gets no new token.
    await w.bot.registry.update(app.clientId, (cur) => ({ ...cur, access: 'private' }));
    expect(await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
  });

  it('refuses a person of another account while the app is held for review, rejected or private', async () => {
    w = await startWorld();
    const { mallory } = await globex(w);
    for (const state of ['pending', 'rejected', 'private'] as const) {
      const app = await publicApp(w, state);
      const { check, anyLink } = await askForLink(w, app.clientId, app.secret, mallory);
      // The page answers alike whoever asks; no link goes out.
      expect(check.html).toContain('someone in this RingCentral account');
      expect(anyLink).toBe(false);
    }
    // The app's own people are served as ever, held app or not.
    const held = await publicApp(w, 'pending');
    const config = await discover(w, held.clientId, held.secret);
    const flow = await signInAndConsent(w, config, w.bob, (await pkce()).params);
    expect(flow.redirect).toContain('code=');
    expect(flow.consent!.html).not.toContain('belongs to another RingCentral account');
  });

  it('does not let a browser signed in for a public app consent for another account\'s private app', async () => {
    w = await startWorld();
    const { mallory, botId } = await globex(w);
    const open = await publicApp(w, 'approved');
    const closed = await publicApp(w, 'private');
    const flow = await signInAndConsent({ emulator: w.emulator, botId }, await discover(w, open.clientId, open.secret), mallory, (await pkce()).params);
    expect(flow.redirect).toContain('code=');
    const page = await flow.b.go(oidc.buildAuthorizationUrl(await discover(w, closed.clientId, closed.secret), (await pkce()).params).href);
    expect(page.status).toBe(403);
    expect(() => formAction(page.html, page.url, '/allow')).toThrow();
  });

  it('gives a person of another account a JWT credential for a public JWT app named by client ID, which the app exchanges; not for a held one', async () => {
    w = await startWorld({ env: { SECRET_REVEAL_SECONDS: '60' } });
    const { mallory, botId } = await globex(w);
    const open = await publicApp(w, 'approved', { authMethod: 'jwt', redirectUris: [], refreshTokens: false });
    const held = await publicApp(w, 'pending', { authMethod: 'jwt', redirectUris: [], refreshTokens: false });
    const dm = await w.emulator.directChat(mallory.id, botId);
    const ask = async (text: string) => {
      const before = w.emulator.posts({ chatId: dm.id, creatorId: botId }).length;
      await w.emulator.post({ chatId: dm.id, personId: mallory.id, text });
      await w.emulator.waitFor(() => w.emulator.posts({ chatId: dm.id, creatorId: botId }).length > before, { message: `no answer to ${text}` });
      const post = w.emulator.posts({ chatId: dm.id, creatorId: botId }).at(-1)!;
      const card = w.emulator.cards({ chatId: dm.id, creatorId: botId }).find((c) => c.postId === post.id);
      return card ? cardText(card.body) : (post.text ?? '');
    };
    expect(await ask(`create jwt ${held.clientId}`)).toContain('I know no app called');
    // By name, another account's app is never found: names mean nothing across accounts.
    expect(await ask(`create jwt ${open.record.appName}`)).toContain('I know no app called');
    const credential = (await ask(`create jwt ${open.clientId}`)).match(JWT_TEXT)![0];
    const tokens = await oidc.genericGrantRequest(await discover(w, open.clientId, open.secret), JWT_BEARER, { assertion: credential });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: mallory.id, client_id: open.clientId });
    // Back under review (made private and public again), the credential gets no token.
    await w.bot.registry.update(open.clientId, (cur) => ({ ...cur, publicReview: { status: 'pending', at: new Date(w.clock.now()).toISOString() } }));
    expect(await oauthError(oidc.genericGrantRequest(await discover(w, open.clientId, open.secret), JWT_BEARER, { assertion: credential }))).toBe('invalid_grant');
    expect(signInLinkFor({ emulator: w.emulator, botId }, mallory.id)).toBeUndefined();
  });
});
