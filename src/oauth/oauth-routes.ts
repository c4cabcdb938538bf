import { Router, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import { clientAuthMethodScope } from './clients.js';

/**
 * The authorization server in the bot's express app: our sign-in and consent pages, then
 * oidc-provider's own endpoints, all under the issuer path; and the RFC 8414 metadata at the
 * host root (`/.well-known/oauth-authorization-server/oauth`), the same document as
 * `/oauth/.well-known/openid-configuration`.
 *
 * @example
 *   app.use(oauthRoutes({ provider, issuerPath: '/oauth', interactions }));
 */
export function oauthRoutes({ provider, issuerPath, interactions }: { provider: Provider; issuerPath: string; interactions: Router }): Router {
  const router = Router();
  const callback = provider.callback();
  const handle = (req: Request, res: Response) => clientAuthMethodScope(req, () => callback(req, res));
  router.get(`/.well-known/oauth-authorization-server${issuerPath}`, (req, res) => {
    req.url = '/.well-known/openid-configuration';
    req.originalUrl = `${issuerPath}/.well-known/openid-configuration`;
    handle(req, res);
  });
  router.use(issuerPath, interactions);
  router.use(issuerPath, handle);
  return router;
}
