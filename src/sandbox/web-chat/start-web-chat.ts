/**
 * The sandbox's web chat page: its own small HTTP server beside the emulator and the bot, on
 * loopback unless SANDBOX_WEB_HOST says otherwise. Started only by the sandbox, never by the bot
 * that runs against RingCentral.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Emulator } from '../../emulator/index.js';
import type { SandboxMeta } from '../start-sandbox.js';
import { clientFile, clientScript } from './bundle.js';
import { pageGuard } from './guard.js';
import { liveEvents } from './live-events.js';
import { pageApi } from './page-api.js';

/** Options of {@link startWebChat}. */
export interface WebChatOptions {
  emulator: Emulator;
  meta: SandboxMeta;
  adminIds: readonly string[];
  /** The icon the bot's dialogs show; the page may load images from its origin. */
  botIconUrl: string;
  host: string;
  /** 0 = any free port. */
  port: number;
}

/** A running page server. */
export interface WebChat {
  /** `http://host:port`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the page, its script and its API; resolves once it listens.
 * @example const page = await startWebChat({ emulator, meta, adminIds, botIconUrl, host: '127.0.0.1', port: 0 });
 */
export async function startWebChat({ emulator, meta, adminIds, botIconUrl, host, port }: WebChatOptions): Promise<WebChat> {
  const imageOrigins = URL.canParse(botIconUrl) ? [new URL(botIconUrl).origin] : [];
  let boundPort = port;
  const live = liveEvents(emulator);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(pageGuard({ bindHost: host, port: () => boundPort, imageOrigins }));
  app.get('/', async (_req, res) => {
    res.type('html').send(await clientFile('index.html'));
  });
  app.get('/style.css', async (_req, res) => {
    res.type('css').send(await clientFile('style.css'));
  });
  app.get('/app.js', async (_req, res) => {
    res.type('js').send(await clientScript());
  });
  app.get('/api/events', (req, res) => live.route(req, res));
  app.use('/api', pageApi({ emulator, meta, adminIds, imageOrigins }));
  app.use((_req, res) => {
    res.status(404).type('text').send('Not found');
  });

  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => {
      live.close(); // nothing listens: drop the emulator hook and the heartbeat with it
      reject(err);
    });
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  const shown = ['0.0.0.0', '::'].includes(host) ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown.includes(':') ? `[${shown}]` : shown}:${boundPort}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        live.close();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
