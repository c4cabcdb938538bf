import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Dialog } from './bot/dialogs.js';
import type { SubmitReply } from './bot/handle-submit.js';
import { iconRoute } from './http/icon-route.js';
import { installRoute } from './http/install-route.js';
import { registryRoute } from './http/registry-route.js';
import type { AppRegistry } from './registry/app-records.js';
import { interactiveRoute } from './http/interactive-route.js';
import { webhookRoute } from './http/webhook-route.js';
import type { Logger } from './lib/logger.js';
import type { Installations } from './platform/installations.js';

export interface AppDeps {
  installations: Installations;
  registry: AppRegistry;
  clientId: string;
  sharedSecret: string;
  verificationToken: string;
  onNotification: (body: unknown) => Promise<void>;
  onSubmit: (body: unknown) => Promise<SubmitReply>;
  onLateReply: (body: unknown, dialog: Dialog) => Promise<void>;
  /** The icon every dialog carries (RingCentral requires one). */
  botIconUrl: string;
  log: Logger;
}

/** The bot's express app, without listen (supertest and main.ts both use it). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(iconRoute());
  app.use(installRoute({ installations: deps.installations, expectedClientId: deps.clientId, log: deps.log }));
  app.use(webhookRoute({ verificationToken: deps.verificationToken, onNotification: deps.onNotification, log: deps.log }));
  app.use(registryRoute({ registry: deps.registry }));
  app.use(interactiveRoute({ sharedSecret: deps.sharedSecret, onSubmit: deps.onSubmit, onLateReply: deps.onLateReply, iconUrl: deps.botIconUrl, log: deps.log }));
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
