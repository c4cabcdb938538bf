import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../lib/logger.js';
import { safeEqual } from './verify-signature.js';

/** True when the request says it has no body: `Content-Length: 0`, or neither a length nor chunks. */
function declaredEmpty(req: Request): boolean {
  const length = req.get('content-length');
  return length === undefined ? req.get('transfer-encoding') === undefined : Number(length) === 0;
}

/**
 * POST /bot/webhook: RingCentral's subscription deliveries.
 * - The handshake (the URL check done while a subscription is created) is a request with a
 *   Validation-Token header and an empty body: echo the header, 200, empty body (contract 2.3).
 * - Anything else is a delivery and must carry our verification token, in Verification-Token or in
 *   Validation-Token: the docs have named both for deliveries (D `notifications/webhooks/receiving.md`
 *   before and after 2023; contract appendix "Token header on deliveries"). Neither, or a wrong one:
 *   401, and the body is never acted on.
 * - A verified delivery is acknowledged at once and handled after the response, so slow work never
 *   makes RingCentral time out (and blacklist the subscription).
 */
export function webhookRoute({ verificationToken, onNotification, log }: { verificationToken: string; onNotification: (body: unknown) => Promise<void>; log: Logger }): Router {
  if (!verificationToken) throw new Error('webhookRoute needs a non-empty verification token');
  const router = express.Router();

  const echo = (res: Response, validation: string) => {
    res.set('Validation-Token', validation).set('Content-Type', 'application/json').status(200).end();
  };
  const reject = (res: Response) => {
    log.warn('webhook rejected: bad verification token');
    res.status(401).json({ error: 'unauthorized' });
  };
  // Both headers are compared every time, so the timing says nothing about which one was tried.
  const verified = (req: Request) => {
    const inVerification = safeEqual(req.get('verification-token'), verificationToken);
    const inValidation = safeEqual(req.get('validation-token'), verificationToken);
    return inVerification || inValidation;
  };

  router.post(
    '/bot/webhook',
    (req: Request, res: Response, next) => {
      const validation = req.get('validation-token');
      if (validation !== undefined && declaredEmpty(req)) {
        echo(res, validation);
        return;
      }
      // A body of known length is only read once the sender proved it holds our token.
      if (req.get('transfer-encoding') === undefined && !verified(req)) {
        reject(res);
        return;
      }
      next();
    },
    express.raw({ type: () => true, limit: '1mb' }),
    (req: Request, res: Response) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const validation = req.get('validation-token');
      if (raw.length === 0 && validation !== undefined) {
        echo(res, validation); // a chunked handshake: no length header, and no bytes
        return;
      }
      if (!verified(req)) {
        reject(res);
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
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
