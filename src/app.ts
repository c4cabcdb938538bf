import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { Dialog } from './bot/dialogs.js';
import type { SubmitReply } from './bot/handle-submit.js';
import { iconRoute } from './http/icon-route.js';
import { installRoute } from './http/install-route.js';
import { registryRoute } from './http/registry-route.js';
import type { AppRegistry } from './registry/app-records.js';
import { interactiveRoute } from './http/interactive-route.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './lib/logger.js';
import type { Installations } from './platform/installations.js';
import { metricsRoute } from './http/metrics-route.js';
import type { Metrics } from './metrics/metrics.js';

export interface AppDeps {
  installations: Installations;
  registry: AppRegistry;
  clientId: string;
  sharedSecret: string;
  /** POST /bot/webhook (createWebhookHandler); the server also calls it directly, ahead of express. */
  webhook: (req: IncomingMessage, res: ServerResponse) => void;
  onSubmit: (body: unknown) => Promise<SubmitReply>;
  onLateReply: (body: unknown, dialog: Dialog) => Promise<void>;
  /** The authorization server's routes (src/oauth/oauth-routes.ts), when it runs. */
  oauth?: Router;
  /** The icon every dialog carries (RingCentral requires one). */
  botIconUrl: string;
  log: Logger;
  metrics: Metrics;
  /** METRICS_TOKEN; see metricsRoute for who may read /metrics without it. */
  metricsToken: string | undefined;
  /** The sandbox serves /metrics without a token (it listens on loopback only). */
  metricsOpen: boolean;
}

/** The bot's express app, without listen (supertest and main.ts both use it). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(iconRoute());
  app.use(metricsRoute({ metrics: deps.metrics, token: deps.metricsToken, openWithoutToken: deps.metricsOpen }));
  app.use(installRoute({ installations: deps.installations, expectedClientId: deps.clientId, log: deps.log }));
  app.post('/bot/webhook', (req, res) => deps.webhook(req, res));
  app.use(registryRoute({ registry: deps.registry }));
  app.use(interactiveRoute({ sharedSecret: deps.sharedSecret, onSubmit: deps.onSubmit, onLateReply: deps.onLateReply, iconUrl: deps.botIconUrl, log: deps.log, metrics: deps.metrics }));
  if (deps.oauth) app.use(deps.oauth);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  // One boundary for errors nobody handled (a malformed body, say): a status, never a stack trace.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    if (status >= 500) deps.log.error('request failed', { err });
    res.status(status).json({ error: status >= 500 ? 'internal error' : 'bad request' });
  });
  return app;
}

/**
 * The server's request listener: webhook deliveries (the busiest route: every post in every chat
 * the bot is in) go straight to their node:http handler; everything else through express.
 */
export function requestListener(app: Express, webhook: AppDeps['webhook']) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (req.method === 'POST' && (url === '/bot/webhook' || url.startsWith('/bot/webhook?'))) webhook(req, res);
    else app(req, res);
  };
}
