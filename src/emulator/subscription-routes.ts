/** `/restapi/v1.0/subscription` routes (contract 2.2–2.5); logic lives in SubscriptionService. */
import { Router } from 'express';
import { authOf } from './auth.js';
import type { EmulatorContext } from './context.js';
import type { SubscriptionService } from './subscriptions.js';

/** Subscription routes; expects Bearer auth to have run. */
export function subscriptionRoutes(ctx: EmulatorContext, subs: SubscriptionService): Router {
  const router = Router();
  const base = '/restapi/v1.0/subscription';

  router.post(base, async (req, res) => {
    const sub = await subs.create(authOf(res).bot, req.body, { transport: 'WebHook' });
    res.json(subs.info(sub));
  });

  router.get(base, (_req, res) => {
    const records = subs.list(authOf(res).bot).map((s) => subs.info(s));
    res.json({ uri: `${ctx.baseUrl}${base}`, records });
  });

  router.get(`${base}/:id`, (req, res) => {
    res.json(subs.info(subs.get(authOf(res).bot, req.params.id)));
  });

  router.put(`${base}/:id`, async (req, res) => {
    res.json(subs.info(await subs.update(authOf(res).bot, req.params.id, req.body)));
  });

  router.post(`${base}/:id/renew`, (req, res) => {
    res.json(subs.info(subs.renew(authOf(res).bot, req.params.id)));
  });

  router.delete(`${base}/:id`, (req, res) => {
    subs.remove(authOf(res).bot, req.params.id);
    res.status(204).end();
  });

  return router;
}
