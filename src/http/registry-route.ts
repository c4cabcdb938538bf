import express, { type Request, type Response, type Router } from 'express';
import type { AppRegistry } from '../registry/app-records.js';

/**
 * GET /registry/clients/:clientId: which scopes a client ID holds right now, for integrations
 * that accept Registrar-issued credentials. Authenticated with the app's own credentials (HTTP
 * Basic, client ID and client secret); an unknown ID and a wrong secret get the same 401, so the
 * endpoint says nothing to someone without the secret.
 */
export function registryRoute({ registry }: { registry: AppRegistry }): Router {
  const router = express.Router();
  router.get('/registry/clients/:clientId', async (req: Request, res: Response) => {
    const header = req.get('authorization') ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const id = colon > 0 ? decoded.slice(0, colon) : '';
    const secret = colon > 0 ? decoded.slice(colon + 1) : '';
    const granted = id === req.params.clientId ? await registry.authorize(id, secret) : undefined;
    if (!granted) {
      res.status(401).set('WWW-Authenticate', 'Basic realm="registrar"').json({ error: 'invalid client credentials' });
      return;
    }
    const { record, scopes } = granted;
    res.json({ clientId: record.clientId, appName: record.appName, status: record.status, scopes, pendingScopes: record.pendingScopes });
  });
  return router;
}
