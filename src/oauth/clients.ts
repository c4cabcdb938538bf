import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AppRecord, AppRegistry } from '../registry/app-records.js';

/**
 * Our apps, as oidc-provider's clients. An app is a client while it is active; what it may do is
 * read from its record at every request, so a suspension, a deletion, a rotation or a scope
 * approved later takes effect at once (oidc-provider caches clients by a hash of their metadata:
 * changed metadata is a new client).
 */
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * The client authentication method of the request being handled. A client has one in
 * oidc-provider; the issue wants both basic and post for every app, so the metadata says the one
 * this request uses (set by `clientAuthMethodScope`, read when the client is looked up).
 */
const requestAuthMethod = new AsyncLocalStorage<'client_secret_basic' | 'client_secret_post'>();

/** Express/node middleware around oidc-provider's callback: records how this request authenticates. */
export function clientAuthMethodScope(req: IncomingMessage, run: () => void): void {
  const basic = /^basic\s/i.test(req.headers.authorization ?? '');
  requestAuthMethod.run(basic ? 'client_secret_basic' : 'client_secret_post', run);
}

/**
 * Never a real secret: oidc-provider wants a client_secret for secret-based methods, but checks
 * go to the registry (compareClientSecret below), against keyed hashes. Random per process, so
 * nobody can authenticate with it.
 */
const PLACEHOLDER_SECRET = `unusable-${randomBytes(32).toString('base64url')}`;

/** The client metadata of an active app; undefined for any other. */
export function clientMetadata(app: AppRecord): Record<string, unknown> | undefined {
  if (app.status !== 'active') return undefined;
  const jwt = app.authMethod === 'jwt';
  const oauth = app.authMethod === 'oauth';
  if (!jwt && !oauth) return undefined; // bots and add-ins get their tokens from RingCentral, not from us
  return {
    client_id: app.clientId,
    client_secret: PLACEHOLDER_SECRET,
    client_name: app.displayName,
    ...(app.iconUrl ? { logo_uri: app.iconUrl } : {}),
    redirect_uris: oauth ? [...(app.redirectUris ?? [])] : [],
    response_types: oauth ? ['code'] : [],
    grant_types: oauth ? ['authorization_code', ...(app.refreshTokens ? ['refresh_token'] : [])] : [JWT_BEARER],
    // No `scope` here: oidc-provider allows only its own (OpenID) scopes in client metadata. The
    // app's API scopes are its resource's (create-provider.ts getResourceServerInfo), read from the
    // registry for each token: granted ones only, pending and rejected ones never.
    token_endpoint_auth_method: requestAuthMethod.getStore() ?? 'client_secret_basic',
  };
}

/** Client look-ups through the registry (oidc-provider's adapter for model 'Client'). */
export function clientAdapter(registry: AppRegistry) {
  return {
    async find(id: string) {
      if (typeof id !== 'string' || id.length === 0 || id.length > 200) return undefined;
      const app = await registry.get(id);
      return app ? clientMetadata(app) : undefined;
    },
  };
}

/**
 * Replaces oidc-provider's comparison of client secrets: the registry checks the presented secret
 * against every live keyed hash (a rotation's grace included) and refuses suspended, deleted or
 * unknown apps, with the same work either way.
 */
export function checkSecretsWithRegistry(ClientClass: { prototype: Record<string, unknown> }, registry: AppRegistry): void {
  ClientClass.prototype.compareClientSecret = async function compareClientSecret(this: { clientId: string }, actual: unknown) {
    if (typeof actual !== 'string' || actual.length === 0 || actual.length > 512) return false;
    return (await registry.authorize(this.clientId, actual)) !== undefined;
  };
}
