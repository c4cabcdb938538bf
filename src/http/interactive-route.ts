import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { Dialog } from '../bot/dialogs.js';
import { SubmitError, type SubmitReply } from '../bot/handle-submit.js';
import type { Logger } from '../lib/logger.js';
import type { InteractiveOutcome, Metrics } from '../metrics/metrics.js';
import { verifyGlipSignature } from './verify-signature.js';

/**
 * POST /bot/interactive: Action.Submit clicks from RingCentral's interactive messages.
 * The signature is checked over the raw bytes before anything is parsed; a bad one gets 401 and
 * nothing else happens. A verified request always gets 200 (RingCentral's rule), with a dialog
 * body when the handler opened one, even if handling failed (the handler tells the user in chat).
 */
/** How long a click may take before we answer 200 anyway and finish the work in the background. */
export const ANSWER_WITHIN_MS = 2500;

export interface InteractiveRouteOptions {
  sharedSecret: string;
  onSubmit: (body: unknown) => Promise<SubmitReply>;
  /** Called with a dialog that was ready only after the 200 went out (it can no longer open). */
  onLateReply: (body: unknown, dialog: Dialog) => Promise<void>;
  /** The bot's icon, which every dialog must name (D adaptive-cards/modal-dialogs.md). */
  iconUrl: string;
  log: Logger;
  metrics: Metrics;
}

export function interactiveRoute({ sharedSecret, onSubmit, onLateReply, iconUrl, log, metrics }: InteractiveRouteOptions): Router {
  const router = express.Router();
  const counted = (outcome: InteractiveOutcome) => metrics.deliveries.inc({ route: 'interactive', outcome });
  router.post('/bot/interactive', express.raw({ type: () => true, limit: '1mb' }), async (req: Request, res: Response) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifyGlipSignature({ secret: sharedSecret, rawBody, signature: req.get('x-glip-signature') })) {
      log.warn('interactive request rejected: bad signature');
      counted('bad_signature');
      res.status(401).json({ error: 'invalid signature' });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      // Signed by RingCentral yet not JSON: nothing to act on, and RingCentral still wants its 200.
      log.warn('interactive request ignored: the body is not JSON');
      counted('invalid');
      res.status(200).end();
      return;
    }
    let reply: SubmitReply = undefined;
    try {
      // RingCentral's patience is undocumented: a click waiting out a rate limit is answered
      // (without a dialog) while its work carries on.
      const work = onSubmit(body);
      let answered = false;
      work.then(
        (r) => {
          counted('accepted');
          if (answered && r instanceof Dialog) return onLateReply(body, r).catch((err: unknown) => log.error('telling a late answer failed', { err }));
        },
        (err: unknown) => {
          // A payload that is no button_submit is the sender's fault; anything else is ours.
          counted(err instanceof SubmitError && err.code === 'SUBMIT_INVALID' ? 'invalid' : 'accepted');
          log.error('interactive request failed', { err });
        },
      );
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>(
        (resolve) =>
          (timer = setTimeout(() => {
            answered = true;
            resolve('late');
          }, ANSWER_WITHIN_MS)),
      );
      const first = await Promise.race([work, late]).finally(() => clearTimeout(timer));
      if (first !== 'late') reply = first;
    } catch (err) {
      log.error('interactive request failed', { err });
    }
    // Only a dialog built for this reply goes back; whatever else a handler returned stays here.
    if (reply instanceof Dialog) res.status(200).json(reply.toBody(iconUrl));
    else res.status(200).end();
  });
  // Bodies express.raw refused (too large, an encoding it cannot read) are counted, then answered by
  // the app's error boundary as before.
  router.use('/bot/interactive', (err: unknown, _req: Request, _res: Response, next: NextFunction) => {
    counted((err as { type?: unknown }).type === 'entity.too.large' ? 'too_large' : 'invalid');
    next(err);
  });
  return router;
}
