import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../lib/logger.js';
import { safeEqual } from './verify-signature.js';

/**
 * POST /bot/webhook: RingCentral's subscription deliveries.
 * - Validation-Token (the URL check done while a subscription is created): echo the header,
 *   200, empty body, and never read the body.
 * - Anything else must carry our Verification-Token, or it is answered 401 and dropped.
 * - A verified delivery is acknowledged at once and handled after the response, so slow work never
 *   makes RingCentral time out (and blacklist the subscription).
 */
export function webhookRoute({ verificationToken, onNotification, log }: { verificationToken: string; onNotification: (body: unknown) => Promise<void>; log: Logger }): Router {
  const router = express.Router();
  router.post(
    '/bot/webhook',
    (req: Request, res: Response, next) => {
      const validation = req.get('validation-token');
      if (validation !== undefined) {
        res.set('Validation-Token', validation).set('Content-Type', 'application/json').status(200).end();
        return;
      }
      if (!safeEqual(req.get('verification-token'), verificationToken)) {
        log.warn('webhook rejected: bad verification token');
        res.status(401).json({ error: 'unauthorized' });
        return;
      }
      next();
    },
    express.raw({ type: () => true, limit: '1mb' }),
    (req: Request, res: Response) => {
      let body: unknown;
      try {
        body = JSON.parse((req.body as Buffer).toString('utf8'));
      } catch {
        res.status(400).json({ error: 'body is not JSON' });
        return;
      }
      res.status(200).end();
      setImmediate(() => {
        onNotification(body).catch((err: unknown) => log.error('notification handling failed', { err }));
      });
    },
  );
  return router;
}
