import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { registerOnly } from '../../helpers/approvals.js';
import { discover, oauthError, oidc } from '../../helpers/oauth.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const JWT_TEXT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

describe('JWT credentials in chat', () => {
  it('creates one for the person who asks, shown once in a direct message, exchanged by the app, listed without its value, then revoked', async () => {
    w = await startWorld({ env: { SECRET_REVEAL_SECONDS: '60' } });
    const { app, secret } = await registerOnly(w, w.alice, 'ReadMessages');
    const bobDm = await w.dm(w.bob);
    await w.say(w.bob, bobDm.id, 'create jwt Expense Sync for 30 days');
    const card = w.botCards(bobDm.id).at(-1)!;
    const shownText = cardText(card.body);
    expect(shownText).toContain('JWT credential for Expense Sync');
    const credential = shownText.match(JWT_TEXT)![0];
    expect(decodeJwt(credential)).toMatchObject({ sub: w.bob.id, client_id: app.clientId });

    const config = await discover(w, app.clientId, secret);
    const tokens = await oidc.genericGrantRequest(config, JWT_BEARER, { assertion: credential });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: w.bob.id, client_id: app.clientId, scope: 'ReadMessages' });
    // Asking only for a scope the app does not hold is refused, not answered with a token for nothing.
    expect(await oauthError(oidc.genericGrantRequest(config, JWT_BEARER, { assertion: credential, scope: 'RoleManagement' }))).toBe('invalid_scope');

    // Hidden when its time is up: the card keeps what it is, never the value.
    w.clock.advance(61_000);
    await w.bot.sweep();
    const hidden = cardText(w.emulator.card(card.id)!.body);
    expect(hidden).not.toMatch(JWT_TEXT);
    expect(hidden).toContain('was shown once and is now hidden');

    const [listed] = await w.say(w.bob, bobDm.id, 'my jwts');
    expect(listed!.text).toContain('Expense Sync');
    expect(listed!.text).not.toContain(credential);
    const id = listed!.text!.match(/jwt-[\w-]+/)![0];
    // `my apps` lists them too, after the apps.
    const viaMyApps = await w.say(w.bob, bobDm.id, 'my apps', 2);
    expect(viaMyApps.at(-1)!.text).toContain(id);
    expect(viaMyApps.at(-1)!.text).not.toContain(credential);
    const [revoked] = await w.say(w.bob, bobDm.id, `revoke jwt ${id}`);
    expect(revoked!.text).toContain(`Revoked ${id}`);
    expect(await oauthError(oidc.genericGrantRequest(config, JWT_BEARER, { assertion: credential }))).toBe('invalid_grant');
    const [again] = await w.say(w.bob, bobDm.id, `revoke jwt ${id}`);
    expect(again!.text).toContain('no live JWT credential');
  });

  it('refuses an expiry past the maximum, an unknown app, and an OAuth app, in words', async () => {
    w = await startWorld({ env: { JWT_CREDENTIAL_MAX_DAYS: '90' } });
    await registerOnly(w, w.alice, 'ReadMessages');
    const dm = await w.dm(w.alice);
    expect((await w.say(w.alice, dm.id, 'create jwt Expense Sync for 91 days'))[0]!.text).toContain('1 to 90 days');
    expect((await w.say(w.alice, dm.id, 'create jwt Nothing Here'))[0]!.text).toContain('I know no app called "Nothing Here"');
    expect(w.botCards(dm.id).filter((c) => JWT_TEXT.test(cardText(c.body)))).toHaveLength(0);
  });
});
