import { errors, type default as Provider } from 'oidc-provider';
import type { AppRegistry } from '../registry/app-records.js';
import { JWT_BEARER } from './clients.js';
import type { JwtCredentials } from './jwt-credential-store.js';
import type { MayUse } from './who-may-sign-in.js';

/**
 * The JWT flow (RFC 7523): a `jwt` app, authenticated with its own client ID and secret, sends a
 * JWT credential one of its people created in chat as `assertion`, and gets an access token
 * acting as that person, with the scopes the app holds now (or fewer, if it asks for fewer). The
 * person is of the app's own account, or of another where the bot is installed while the app is public.
 *
 * @example
 *   registerJwtBearer({ provider, audience, accessTokenSeconds, registry, credentials, mayUse });
 *   // POST /oauth/token grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<jwt>
 */
export function registerJwtBearer({ provider, audience, accessTokenSeconds, registry, credentials, mayUse }: { provider: Provider; audience: string; accessTokenSeconds: number; registry: AppRegistry; credentials: JwtCredentials; mayUse: MayUse }): void {
  const InvalidGrant = errors.InvalidGrant!;
  provider.registerGrantType(
    JWT_BEARER,
    async (ctx) => {
      const { client, params } = ctx.oidc;
      const record = await credentials.verify(params.assertion, client.clientId);
      if (!record) throw new InvalidGrant('the JWT credential is not valid for this app (unknown, revoked or expired)');
      const app = await registry.get(client.clientId);
      // The credential's person is of the app's account, or of another while the app is public (who-may-sign-in.ts).
      if (app?.status !== 'active' || !(await mayUse(app, record.accountId))) throw new InvalidGrant('the app cannot be used now');
      const asked = typeof params.scope === 'string' && params.scope.trim() ? params.scope.split(' ') : app.grantedScopes;
      const scope = asked.filter((s: string) => app.grantedScopes.includes(s)).join(' ');
      // Asked only for scopes the app does not hold (or holds none): say so rather than issue a token for nothing.
      if (!scope) throw new errors.InvalidScope!(app.grantedScopes.length ? 'the app holds none of the requested scopes' : 'the app holds no scope yet', asked.join(' '));
      const token = new provider.AccessToken({ accountId: record.personId, client, gty: 'jwt_bearer', scope: scope || undefined });
      token.resourceServer = new provider.ResourceServer(audience, { scope: app.grantedScopes.join(' '), audience, accessTokenFormat: 'jwt', accessTokenTTL: accessTokenSeconds, jwt: { sign: { alg: 'ES256' } } });
      ctx.oidc.entity('AccessToken', token);
      const value = await token.save();
      ctx.body = { access_token: value, expires_in: token.expiration, token_type: 'Bearer', ...(scope ? { scope } : {}) };

    },
    ['assertion', 'scope'],
  );

}
