import { compactVerify, createLocalJWKSet, decodeJwt } from 'jose';
import Provider, { errors, type AdapterPayload } from 'oidc-provider';
import type { Config } from '../config.js';
import type { Keys } from '../lib/crypto-keys.js';
import type { Logger } from '../lib/logger.js';
import type { AppRegistry } from '../registry/app-records.js';
import type { Store } from '../store/store.js';
import { checkSecretsWithRegistry, clientAdapter } from './clients.js';
import { errorPage } from './pages.js';
import type { SigningKeys } from './signing-keys.js';
import { storeAdapter } from './store-adapter.js';

/**
 * The authorization server: panva's oidc-provider (OpenID Certified), configured for our apps.
 * Access tokens are RFC 9068 JWTs for one resource (`${issuer}/api`), signed ES256 with the keys
 * in the store; authorization code + PKCE (S256, always) for `oauth` apps, refresh tokens only
 * for apps registered with them (single use, rotated at every exchange, reuse ends the family);
 * introspection (RFC 7662) and revocation (RFC 7009) for authenticated apps.
 *
 * @example
 *   const { provider, issuer, audience } = createProvider({ issuer, config, store, keys, registry, signing, log });
 *   app.use(config.oauth.issuerPath, provider.callback());
 */
export interface ProviderDeps {
  issuer: string;
  config: Config;
  store: Store;
  keys: Keys;
  registry: AppRegistry;
  signing: SigningKeys;
  log: Logger;
  /**
   * Whether the app may still serve this person (who-may-sign-in.ts): asked whenever a code or a
   * refresh token becomes a token, so an app made private again stops serving other accounts.
   */
  mayServe?: (clientId: string, personId: string) => Promise<boolean>;
}

export interface OAuthProvider {
  provider: Provider;
  issuer: string;
  /** The `aud` of every access token: the company's APIs as one resource. */
  audience: string;
  /** The jti of one of our JWT access tokens (signature checked), else undefined. */
  jtiOfJwt(value: string): Promise<string | undefined>;
}

export function createProvider(deps: ProviderDeps): OAuthProvider {
  const { issuer, config, store, keys, registry, signing, log } = deps;
  const { accessTokenSeconds, refreshTokenDays } = config.oauth;
  const audience = `${issuer}/api`;
  const publicKeys = createLocalJWKSet({ keys: signing.publicJwks });

  // oidc-provider refuses to introspect or revoke JWTs; oauth-routes.ts hands it the jti instead,
  // after this checked that the token is ours.
  // The record's id is a keyed hash of the jti, never the jti itself: a jti is readable by anyone
  // holding the token (and lands in logs), so presented alone it must find nothing.
  const recordIdOf = (jti: string) => Buffer.from(keys.hash(`jwt-access-token:${jti}`), 'hex').toString('base64url');
  const jtiOfJwt = async (value: string) => {
    try {
      await compactVerify(value, publicKeys);
      const { jti, iss } = decodeJwt(value);
      return iss === issuer && typeof jti === 'string' ? recordIdOf(jti) : undefined;
    } catch {
      return undefined;
    }
  };
  const StoreAdapter = storeAdapter({ store, keys });
  const clients = clientAdapter(registry);
  const Adapter = class {
    private readonly inner;
    constructor(private readonly model: string) {
      this.inner = new StoreAdapter(model);
    }
    find(id: string) {
      return this.model === 'Client' ? clients.find(id) : this.inner.find(id);
    }
    upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
      if (this.model === 'Client') throw new Error('clients are registered in chat, not through the provider');
      return this.inner.upsert(id, payload, expiresIn);
    }
    findByUid(uid: string) {
      return this.inner.findByUid(uid);
    }
    findByUserCode(code: string) {
      return this.inner.findByUserCode(code);
    }
    consume(id: string) {
      return this.inner.consume(id);
    }
    destroy(id: string) {
      return this.inner.destroy(id);
    }
    revokeByGrantId(grantId: string) {
      return this.inner.revokeByGrantId(grantId);
    }
  };

  const pathname = new URL(issuer).pathname.replace(/\/$/, '');
  const resourceServer = async (client: { clientId: string }) => {
    const app = await registry.get(client.clientId);
    // Scopes as the app holds them now: one approved since the grant is in the next token.
    const scope = app?.status === 'active' ? app.grantedScopes.join(' ') : '';
    return { scope, audience, accessTokenFormat: 'jwt', accessTokenTTL: accessTokenSeconds, jwt: { sign: { alg: 'ES256' } } };
  };

  const provider = new Provider(issuer, {
    adapter: Adapter,
    clients: [],
    jwks: { keys: signing.jwks },
    // Signs the provider's cookies (sessions, interactions); derived from the master key.
    cookies: { keys: [keys.hash('oidc-provider cookie key v1')], long: { signed: true }, short: { signed: true } },
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
    // Only these are OpenID scopes; an app's API scopes are the resource's (getResourceServerInfo),
    // so a scope the app does not hold (pending, rejected, unknown) is left out of the token.
    scopes: ['openid', 'offline_access'],
    claims: { openid: ['sub'] },
    responseTypes: ['code'],
    // Apps have a client secret (checked against its keyed hash), nothing else.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    pkce: { required: () => true },
    // Redirect URIs exactly as registered, always named in the request.
    allowOmittingSingleRegisteredRedirectUri: false,
    clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'RS256' },
    features: {
      devInteractions: { enabled: false },
      introspection: {
        enabled: true,
        // An app may introspect its own tokens and those of the apps of its own account, while both are active.
        allowedPolicy: async (_ctx: unknown, caller: { clientId: string }, token: { clientId: string }) => {
          const [mine, theirs] = await Promise.all([registry.get(caller.clientId), registry.get(token.clientId)]);
          return mine?.status === 'active' && theirs?.status === 'active' && mine.accountId === theirs.accountId;
        },
      },
      revocation: {
        enabled: true,
        // An app revokes its own tokens only (oidc-provider's default, said here so it is a decision).
        allowedPolicy: async (_ctx: unknown, caller: { clientId: string }, token: { clientId: string }) => {
          if (token.clientId !== caller.clientId) throw new errors.InvalidRequest!('client is not authorized to revoke the presented token');
          return true;
        },
      },
      userinfo: { enabled: false },
      // What the issue does not ask for stays off: no logout endpoint (a page any site could post to),
      // no DPoP, no pushed authorization requests.
      rpInitiatedLogout: { enabled: false },
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: async (ctx: { oidc?: { entities?: Record<string, { accountId?: string } | undefined> } }, resource: string, client: { clientId: string }) => {
          if (resource !== audience) throw new errors.InvalidTarget!('unknown resource');
          const entities = ctx.oidc?.entities ?? {};
          const person = entities.RefreshToken?.accountId ?? entities.AuthorizationCode?.accountId;
          if (person && deps.mayServe && !(await deps.mayServe(client.clientId, person))) throw new errors.InvalidGrant!('the app no longer serves people of this account');
          return resourceServer(client);
        },
      },
    },
    ttl: {
      AccessToken: accessTokenSeconds,
      AuthorizationCode: 60,
      RefreshToken: Math.round(refreshTokenDays * 86_400),
      Grant: 365 * 86_400,
      Interaction: 15 * 60,
      Session: 8 * 3600,
    },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    // Single use, always: a refresh token used twice ends the whole family (oidc-provider revokes the grant).
    rotateRefreshToken: () => true,
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${pathname}/interaction/${interaction.uid}` },
    formats: {
      customizers: {
        // JWT access tokens are not stored by oidc-provider; a record of each (under its jti) lets
        // introspection answer for it and revocation end it.
        jwt: async (_ctx: unknown, token: Record<string, unknown>, jwt: { payload: Record<string, unknown> }) => {
          const { iat, exp, jti, scope, aud } = jwt.payload;
          const fromToken = Object.fromEntries(['kind', 'clientId', 'accountId', 'grantId', 'gty', 'extra'].filter((k) => token[k] !== undefined).map((k) => [k, token[k]]));
          const id = recordIdOf(String(jti));
          // Kept under its record id (recordIdOf), which is also what revocation destroys.
          const payload = { ...fromToken, iat, exp, jti: id, ...(scope ? { scope } : {}), aud } as AdapterPayload;
          await new StoreAdapter('AccessToken').upsert(id, payload, Math.max(1, Number(exp) - Math.floor(Date.now() / 1000)));
        },
      },
    },
    renderError: async (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = errorPage(out.error_description ?? out.error ?? 'Something went wrong.');
    },
  });
  checkSecretsWithRegistry(provider.Client, registry);
  provider.proxy = config.oauth.trustProxy;
  // Failures are logged by kind only: the events carry requests, and requests carry secrets.
  provider.on('server_error', (_ctx: unknown, err: Error) => log.error('oauth server error', { err: err.message }));
  provider.on('grant.error', (_ctx: unknown, err: { error?: string; error_description?: string }) => log.info('oauth grant refused', { error: err.error, description: err.error_description }));
  return { provider, issuer, audience, jtiOfJwt };
}
