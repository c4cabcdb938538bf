import express, { Router, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import { clientAuthMethodScope } from './clients.js';

/**
 * The authorization server in the bot's express app: our sign-in and consent pages, then
 * oidc-provider's own endpoints, all under the issuer path; and the RFC 8414 metadata at the
 * host root (`/.well-known/oauth-authorization-server/oauth`), the same document as
 * `/oauth/.well-known/openid-configuration`.
 *
 * @example
 *   app.use(oauthRoutes({ provider, issuerPath: '/oauth', interactions, jtiOfJwt }));
 */
export function oauthRoutes({ provider, issuerPath, interactions, jtiOfJwt, issuerHost }: { provider: Provider; issuerPath: string; interactions: Router; jtiOfJwt(value: string): Promise<string | undefined>; issuerHost?: string }): Router {
  const router = Router();
  const callback = provider.callback();
  const handle = (req: Request, res: Response) => {
    // The endpoints oidc-provider writes into discovery follow the request's Host: pin it to the
    // issuer's, so a forged Host (and a cache in front) can never point clients elsewhere.
    if (issuerHost !== undefined && !provider.proxy) req.headers.host = issuerHost;
    clientAuthMethodScope(req, () => callback(req, res));
  };
  router.get(`/.well-known/oauth-authorization-server${issuerPath}`, (req, res) => {
    req.url = '/.well-known/openid-configuration';
    req.originalUrl = `${issuerPath}/.well-known/openid-configuration`;
    handle(req, res);
  });
  // RFC 7662 and 7009 for our JWT access tokens: oidc-provider keeps no JWT and refuses to look one
  // up, so a JWT we signed is handed to it as its jti, the id its record is kept under (create-provider.ts).
  // Anything else that looks like a JWT finds nothing (inactive; revocation answers 200 as RFC 7009 says).
  router.post([`${issuerPath}/token/introspection`, `${issuerPath}/token/revocation`], express.urlencoded({ extended: false, limit: '56kb' }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.token === 'string' && body.token.split('.').length === 3) {
      body.token = (await jtiOfJwt(body.token)) ?? 'not-a-token-of-ours';
      delete body.token_type_hint;
    }
    req.body = body;
    req.url = req.url.slice(issuerPath.length); // as app.use(issuerPath) would hand it over
    handle(req, res);
  });
  router.use(issuerPath, interactions);
  router.use(issuerPath, handle);
  return router;
}
