import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { AppError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Installations } from '../platform/installations.js';

const PrivateInstall = z.object({
  access_token: z.string().min(1).max(4096),
  creator_extension_id: z.union([z.string(), z.number()]).transform(String).optional(),
  creator_account_id: z.union([z.string(), z.number()]).transform(String).optional(),
  client_id: z.string().max(256).optional(),
});

/**
 * The bot's OAuth redirect URI, /bot/oauth.
 * - POST (private bot): RingCentral posts the permanent token, form-urlencoded (JSON accepted too).
 * - GET ?code= (public bot): we exchange the code for the token.
 * Either way the installation is stored and the subscription set up in the background.
 */
export function installRoute({ installations, expectedClientId, log }: { installations: Installations; expectedClientId: string; log: Logger }): Router {
  const router = express.Router();
  const body = [express.urlencoded({ extended: false, limit: '16kb' }), express.json({ limit: '16kb' })];

  router.post('/bot/oauth', ...body, async (req: Request, res: Response) => {
    const parsed = PrivateInstall.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(401).json({ error: 'access_token is required' });
      return;
    }
    const p = parsed.data;
    // RingCentral names the app it installed (contract 1.1); a token for another app, or one that
    // comes without saying whose it is, is not ours to use.
    if (p.client_id !== expectedClientId) {
      log.warn('install rejected: token for another app, or no client_id', { clientIdGiven: p.client_id !== undefined });
      res.status(401).json({ error: p.client_id === undefined ? 'client_id is required' : 'this install is for another app' });
      return;
    }
    try {
      await installations.installPrivate({ accessToken: p.access_token, creatorExtensionId: p.creator_extension_id, creatorAccountId: p.creator_account_id, clientId: p.client_id });
      res.status(200).send('');
    } catch (err) {
      log.error('private install failed', { err });
      const conflict = err instanceof AppError && err.code === 'INSTALL_CONFLICT';
      res
        .status(err instanceof AppError ? err.status : 502)
        .json({ error: conflict ? 'this account already has a working installation' : 'installation failed: the token could not be used' });
    }
  });

  router.get('/bot/oauth', async (req: Request, res: Response) => {
    const code = typeof req.query.code === 'string' ? req.query.code : '';
    if (!code) {
      res.status(400).type('text/plain').send('Missing ?code. This address is where RingCentral completes a bot installation.');
      return;
    }
    const creator = typeof req.query.creator_extension_id === 'string' ? req.query.creator_extension_id : undefined;
    try {
      await installations.installPublic({ code, creatorExtensionId: creator });
      res.status(200).type('text/plain').send('Registrar is installed. You can close this window and say "help" to the bot.');
    } catch (err) {
      log.error('public install failed', { err });
      res.status(err instanceof AppError ? err.status : 502).type('text/plain').send('Installation failed: RingCentral did not accept the authorization code. Please try installing again.');
    }
  });
  return router;
}
