import { generateKeyPair, SignJWT, decodeJwt } from 'jose';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { resourceServer } from '../../../examples/resource-server.js';
import { activeApp, discover, oidc } from '../../helpers/oauth.js';
import { startWorld, type World } from '../../helpers/world.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

describe('the example resource server (examples/resource-server.ts)', () => {
  it('accepts a fresh token, and refuses an expired, a revoked, a foreign or a missing one', async () => {
    w = await startWorld();
    const app = await activeApp(w, { authMethod: 'jwt', redirectUris: [], refreshTokens: false });
    const { credential } = await w.bot.oauth.credentials.issue({ clientId: app.clientId, accountId: w.account.id, personId: w.bob.id, days: 1 });
    const config = await discover(w, app.clientId, app.secret);
    const token = async () => (await oidc.genericGrantRequest(config, 'urn:ietf:params:oauth:grant-type:jwt-bearer', { assertion: credential })).access_token;
    let now = new Date();
    const issuer = w.bot.oauth.issuer;
    const api = resourceServer({ issuer, introspectAs: { clientId: app.clientId, clientSecret: app.secret }, now: () => now });
    const call = (t?: string) => request(api).get('/whoami').set(t ? { authorization: `Bearer ${t}` } : {});

    const fresh = await token();
    const ok = await call(fresh);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ person: w.bob.id, app: app.clientId, scope: 'ReadMessages' });

    now = new Date((decodeJwt(fresh).exp! + 1) * 1000);
    expect((await call(fresh)).status).toBe(401);
    now = new Date();

    const revoked = await token();
    expect((await call(revoked)).status).toBe(200);
    await oidc.tokenRevocation(config, revoked);
    expect((await call(revoked)).status).toBe(401);
    // Without introspection, a service that checks the signature only accepts it until it expires.
    expect((await request(resourceServer({ issuer })).get('/whoami').set({ authorization: `Bearer ${revoked}` })).status).toBe(200);

    const { privateKey } = await generateKeyPair('ES256');
    const foreign = await new SignJWT(decodeJwt(fresh)).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'es256-x' }).sign(privateKey);
    expect((await call(foreign)).status).toBe(401);
    expect((await call()).status).toBe(401);
    expect((await call(fresh.replace(/\.[\w-]+$/, '.AAAA'))).status).toBe(401);
  });
});
