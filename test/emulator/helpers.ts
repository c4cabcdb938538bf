/**
 * Test helpers: a tiny fake bot HTTP server that records what the emulator sends it, and a
 * world with an account, two users and an installed bot.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  startEmulator,
  type App,
  type Emulator,
  type EmulatorOptions,
  type Person,
  type RegisterAppInput,
} from '../../src/emulator/index.js';

/** One request the fake bot received. */
export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

/** Decides the answer; return nothing to use the default (echo Validation-Token, 200). */
export type ReceiverHandler = (
  req: Received,
  res: http.ServerResponse,
) => void | 'default' | Promise<void | 'default'>;

/** A local HTTP server standing in for the bot. */
export interface Receiver {
  url: string;
  received: Received[];
  /** Replaces the handler for subsequent requests. */
  handle(handler: ReceiverHandler | undefined): void;
  close(): Promise<void>;
}

/** The default answer of a well-behaved bot (D `code-samples/webhooks/webhook-server.js`). */
export function answerLikeABot(req: Received, res: http.ServerResponse): void {
  const token = req.headers['validation-token'];
  if (typeof token === 'string') {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Validation-Token', token);
  }
  res.statusCode = 200;
  res.end();
}

/** Starts a fake bot server. */
export async function startReceiver(handler?: ReceiverHandler): Promise<Receiver> {
  let current = handler;
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const entry: Received = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      void (async () => {
        const result = current === undefined ? 'default' : await current(entry, res);
        if (result === 'default') answerLikeABot(entry, res);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    handle: (h) => {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Everything a test usually needs. */
export interface World {
  emulator: Emulator;
  receiver: Receiver;
  accountId: string;
  alice: Person;
  bob: Person;
  app: App;
  botId: string;
  token: string;
  /** Fetch against the emulator with the bot's Bearer token. */
  api(path: string, init?: { method?: string; body?: unknown; token?: string | null; scheme?: string }): Promise<Response>;
  /** Creates a WebHook subscription pointing at the receiver; `mode` extends deliveryMode, `top` the body. */
  subscribe(eventFilters?: string[], mode?: Record<string, unknown>, top?: Record<string, unknown>): Promise<Response>;
  close(): Promise<void>;
}

/** An emulator with one account, Alice and Bob, and a private bot installed by Alice. */
export async function startWorld(options: EmulatorOptions = {}, appExtra: Partial<RegisterAppInput> = {}): Promise<World> {
  const emulator = await startEmulator(options);
  const receiver = await startReceiver();
  const account = emulator.createAccount({ name: 'Acme' });
  const alice = emulator.addPerson({ accountId: account.id, firstName: 'Alice', lastName: 'Smith', email: 'alice@acme.test' });
  const bob = emulator.addPerson({ accountId: account.id, firstName: 'Bob', lastName: 'Jones', email: 'bob@acme.test' });
  const app = emulator.registerApp({
    name: 'Registrar',
    kind: 'private',
    redirectUri: `${receiver.url}/oauth`,
    outboundWebhookUrl: `${receiver.url}/interactive`,
    ...appExtra,
  });
  const installed = await emulator.installBot({ clientId: app.clientId, accountId: account.id, installerId: alice.id });
  const api: World['api'] = (path, init = {}) => {
    const headers: Record<string, string> = {};
    const token = init.token === undefined ? installed.accessToken : init.token;
    if (token !== null) headers.Authorization = `${init.scheme ?? 'Bearer'} ${token}`;
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(`${emulator.url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  };
  return {
    emulator,
    receiver,
    accountId: account.id,
    alice,
    bob,
    app,
    botId: installed.botId,
    token: installed.accessToken,
    api,
    subscribe: (eventFilters = ['/team-messaging/v1/posts', '/team-messaging/v1/chats'], mode = {}, top = {}) =>
      api('/restapi/v1.0/subscription', {
        body: {
          eventFilters,
          deliveryMode: { transportType: 'WebHook', address: `${receiver.url}/webhook`, ...mode },
          ...top,
        },
      }),
    close: async () => {
      await emulator.close();
      await receiver.close();
    },
  };
}

/** Webhook notifications the receiver got, parsed. */
export function notifications(receiver: Receiver): { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] {
  return receiver.received
    .filter((r) => r.path === '/webhook' && r.rawBody.length > 0)
    .map((r) => ({ headers: r.headers, body: JSON.parse(r.rawBody) as Record<string, unknown> }));
}

/** The `body` of each notification with the given eventType. */
export function eventBodies(receiver: Receiver, eventType: string): Record<string, unknown>[] {
  return notifications(receiver)
    .map((n) => n.body.body as Record<string, unknown>)
    .filter((b) => b.eventType === eventType);
}
