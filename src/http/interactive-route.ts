import express, { type Request, type Response, type Router } from 'express';
import type { SubmitReply } from '../bot/handle-submit.js';
import type { Logger } from '../lib/logger.js';
import { verifyGlipSignature } from './verify-signature.js';

/**
 * POST /bot/interactive: Action.Submit clicks from RingCentral's interactive messages.
 * The signature is checked over the raw bytes before anything is parsed; a bad one gets 401 and
 * nothing else happens. A verified request always gets 200 (RingCentral's rule), with a dialog
 * body when the handler opened one, even if handling failed (the handler tells the user in chat).
 */
export function interactiveRoute({ sharedSecret, onSubmit, log }: { sharedSecret: string; onSubmit: (body: unknown) => Promise<SubmitReply>; log: Logger }): Router {
  const router = express.Router();
  router.post('/bot/interactive', express.raw({ type: () => true, limit: '1mb' }), async (req: Request, res: Response) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifyGlipSignature({ secret: sharedSecret, rawBody, signature: req.get('x-glip-signature') })) {
      log.warn('interactive request rejected: bad signature');
      res.status(401).json({ error: 'invalid signature' });
      return;
    }
    let reply: SubmitReply = undefined;
    try {
      reply = await onSubmit(JSON.parse(rawBody.toString('utf8')));
    } catch (err) {
      log.error('interactive request failed', { err });
    }
    if (reply) res.status(200).json(reply);
    else res.status(200).end();
  });
  return router;
}
