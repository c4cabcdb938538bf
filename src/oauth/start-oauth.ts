import type { Router } from 'express';
import type { Services } from '../bot/context.js';
import type { AppRegistry } from '../registry/app-records.js';
import type { ScopeCatalog } from '../registry/scope-catalog.js';
import { createProvider, type OAuthProvider } from './create-provider.js';
import { interactionRoutes } from './interactions.js';
import { createJwtCredentials, type JwtCredentials } from './jwt-credential-store.js';
import { registerJwtBearer } from './jwt-bearer.js';
import { oauthRoutes } from './oauth-routes.js';
import { signInLinks } from './sign-in-links.js';
import { loadSigningKeys } from './signing-keys.js';
import { accountMayUse } from './who-may-sign-in.js';

/**
 * The authorization server, put together: signing keys from the store (rotated when due), the
 * provider, the chat sign-in pages, the JWT-bearer grant, and its routes for the bot's app.
 *
 * @example
 *   const oauth = await startOAuth({ services, registry, catalog, publicUrl: 'https://bot.example.com' });
 *   createApp({ ..., oauth: oauth.routes });
 */
export interface OAuthServer extends OAuthProvider {
  routes: Router;
  credentials: JwtCredentials;
  /** Where apps send people and exchange codes, for the credentials card. */
  endpoints: { issuer: string; authorize: string; token: string; accessTokenSeconds: number; refreshTokenDays: number };
}

export async function startOAuth({ services, registry, catalog, publicUrl }: { services: Services; registry: AppRegistry; catalog: ScopeCatalog; publicUrl: string }): Promise<OAuthServer> {
  const { config, store, keys, log, clock, installations } = services;
  const { issuerPath } = config.oauth;
  const issuer = `${publicUrl.replace(/\/+$/, '')}${issuerPath}`;
  const signing = await loadSigningKeys({ store, keys, now: clock.now(), rotateAfterDays: config.oauth.keyRotationDays, keepDays: config.oauth.jwtCredentialMaxDays });
  const links = signInLinks({ store, keys, minutes: config.oauth.signInLinkMinutes });
  const mayUse = accountMayUse(installations);
  // A person whose account is not known (signed in before accounts were kept) is left as before.
  const mayServe = async (clientId: string, personId: string) => {
    const [app, accountId] = await Promise.all([registry.get(clientId), links.accountOf(personId)]);
    return !app || !accountId || mayUse(app, accountId);
  };
  const built = createProvider({ issuer, config, store, keys, registry, signing, log, mayServe });
  const credentials = createJwtCredentials({ store, keys, signing, issuer, clock });
  registerJwtBearer({ ...built, accessTokenSeconds: config.oauth.accessTokenSeconds, registry, credentials, mayUse });
  const interactions = interactionRoutes({
    ...built,
    basePath: new URL(issuer).pathname,
    registry,
    catalog,
    installations,
    links,
    linkMinutes: config.oauth.signInLinkMinutes,
    clock,
    log,
    track: services.track,
  });
  return {
    ...built,
    routes: oauthRoutes({ provider: built.provider, issuerPath, interactions, jtiOfJwt: built.jtiOfJwt, issuerHost: new URL(issuer).host }),
    credentials,
    endpoints: { issuer, authorize: `${issuer}/auth`, token: `${issuer}/token`, accessTokenSeconds: config.oauth.accessTokenSeconds, refreshTokenDays: config.oauth.refreshTokenDays },
  };
}
