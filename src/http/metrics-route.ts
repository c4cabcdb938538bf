import express, { type Router } from 'express';
import type { Metrics } from '../metrics/metrics.js';
import { safeEqual } from './verify-signature.js';

export interface MetricsRouteOptions {
  metrics: Metrics;
  /** METRICS_TOKEN: when set, a scrape must send `Authorization: Bearer <token>`. */
  token: string | undefined;
  /** Serve without a token when none is set (the sandbox, which listens on loopback only). */
  openWithoutToken: boolean;
}

/**
 * GET /metrics in Prometheus text format. Counts of deliveries, flows and 429s say how the company
 * uses the bot, so they are never world-readable: with METRICS_TOKEN the scraper sends it as a
 * Bearer token (compared in constant time); without it the route is not served outside the
 * sandbox, rather than trusting the network (a reverse proxy on the same host would make every
 * request look local).
 *
 * @example
 *   app.use(metricsRoute({ metrics, token: config.metricsToken, openWithoutToken: config.sandbox }));
 */
export function metricsRoute({ metrics, token, openWithoutToken }: MetricsRouteOptions): Router {
  const router = express.Router();
  router.get('/metrics', async (req, res) => {
    if (token === undefined && !openWithoutToken) {
      res.status(404).json({ error: 'not found' });
      return;
    }
    if (token !== undefined) {
      const presented = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
      if (!safeEqual(presented, token)) {
        res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').json({ error: 'unauthorized' });
        return;
      }
    }
    res.status(200).set('Cache-Control', 'no-store').type(metrics.contentType).send(await metrics.text());
  });
  return router;
}
