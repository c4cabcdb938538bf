/**
 * The WebSocket gateway (contract 2.6), speaking the protocol of `@rc-ex/ws` as used by
 * `@ringcentral/subscriptions`: frames are JSON arrays `[meta, body?]`; the first server frame
 * is ConnectionDetails; ClientRequest frames (subscription POST/GET/PUT/DELETE) are answered
 * with the same messageId; notifications go out as ServerNotification; Heartbeat is echoed.
 * Faults armed with `failNext` apply to ClientRequest frames as to HTTP requests.
 *
 * Sessions: each connection gets a `wsc` token. A client reconnecting with `&wsc=<token>`
 * within `recoveryTimeout` recovers the session (recoveryState "Successful"), keeps its
 * subscription and receives the notifications buffered meanwhile (at most
 * `recoveryBufferSize`); otherwise recoveryState is "Failed" and the old subscription is gone.
 * The buffered notifications follow ConnectionDetails in a later turn of the event loop, as
 * separate network reads would bring them: a client must already listen when they come.
 *
 * WebSocket tokens are single-use and live 30 s (D `docs/notifications/websockets/subscribing.md`:
 * "expires_in": 30 in the example, the token is "good for a single-use only"; contract appendix
 * "WebSocket token"). A second connection with a used token gets the same Error frame as an
 * unknown token.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { EmulatorContext } from './context.js';
import type { NotificationEnvelope, WsSendResult, WsTransport } from './deliver.js';
import { RcApiError, rcError } from './errors.js';
import { FaultInjector } from './faults.js';
import { randomSecret, uuid } from './ids.js';
import { getOwn, type Bot, type SubscriptionRecord } from './model.js';
import type { WsTokenIssuer } from './oauth-routes.js';
import { redact, redactHeaders, type RequestRecorder } from './recorder.js';
import type { SubscriptionService } from './subscriptions.js';

/** Lifetime of a ws_access_token in seconds, as in the docs' example (the client refetches after 80 %). */
export const WS_TOKEN_EXPIRES_IN = 30;
/** ConnectionDetails values (D `code-samples/websockets/connection-details.json`). */
export const CONNECTION_DETAILS = {
  maxConnectionsPerSession: 50,
  recoveryBufferSize: 100,
  recoveryTimeout: 180,
  idleTimeout: 1800,
  absoluteTimeout: 86400,
  maxActiveRequests: 10,
} as const;

interface Session {
  token: string;
  botId: string;
  sequence: number;
  socket: WebSocket | undefined;
  disconnectedAt: number | null;
  buffer: string[];
  /** Set from ConnectionDetails until the buffer is replayed: new notifications queue behind it. */
  replaying: boolean;
}

interface WsMeta {
  type?: unknown;
  messageId?: unknown;
  method?: unknown;
  path?: unknown;
  headers?: unknown;
}

const SUBSCRIPTION_PATH = /^\/restapi\/v1\.0\/subscription(?:\/([^/?]+))?(\/renew)?$/;

/** Serves `/ws` on the emulator's HTTP server. */
export class WsGateway implements WsTransport, WsTokenIssuer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tokens = new Map<string, { botId: string; expiresAt: number }>();
  private readonly sessions = new Map<string, Session>();
  /** Accepted connections and their bot, for inspection and for simulated network drops. */
  private readonly connections = new Map<WebSocket, string>();

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly subs: SubscriptionService,
    private readonly recorder: RequestRecorder,
    private readonly faults: FaultInjector,
  ) {}

  /** Handles upgrades of `server` on path `/ws`; other upgrade paths are refused. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://emulator.invalid');
      if (url.pathname !== '/ws') {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, url));
    });
  }

  /** POST /restapi/oauth/wstoken. */
  issueToken(botId: string): { token: string; expiresIn: number } {
    const token = randomSecret(32);
    this.tokens.set(token, { botId, expiresAt: this.ctx.now() + WS_TOKEN_EXPIRES_IN * 1000 });
    return { token, expiresIn: WS_TOKEN_EXPIRES_IN };
  }

  /** Sends (or buffers) a ServerNotification for `sub`. */
  async sendNotification(sub: SubscriptionRecord, envelope: NotificationEnvelope): Promise<WsSendResult> {
    const session = sub.wsSession === null ? undefined : this.sessions.get(sub.wsSession);
    if (session === undefined) return { outcome: 'failed', error: 'WebSocket session is gone' };
    session.sequence += 1;
    const frame = JSON.stringify([
      sessionMeta('ServerNotification', session),
      envelope,
    ]);
    const socket = session.socket;
    if (socket?.readyState !== WebSocket.OPEN || session.replaying) {
      session.buffer.push(frame);
      if (session.buffer.length > CONNECTION_DETAILS.recoveryBufferSize) session.buffer.shift();
      return { outcome: 'buffered', error: 'WebSocket disconnected' };
    }
    return new Promise((resolve) => {
      socket.send(frame, (err) =>
        resolve(err ? { outcome: 'failed', error: err.message } : { outcome: 'delivered' }),
      );
    });
  }

  /** Forgets sessions past their recovery timeout (and their subscriptions) and stale tokens. */
  expire(): void {
    const now = this.ctx.now();
    for (const [token, session] of this.sessions) {
      if (session.disconnectedAt !== null && now - session.disconnectedAt > CONNECTION_DETAILS.recoveryTimeout * 1000) {
        this.dropSession(token);
      }
    }
    for (const [token, entry] of this.tokens) if (entry.expiresAt <= now) this.tokens.delete(token);
  }

  /** Accepted connections not closed yet (a closing one still counts), optionally of one bot. */
  openConnections(botId?: string): number {
    let n = 0;
    for (const owner of this.connections.values()) if (botId === undefined || owner === botId) n += 1;
    return n;
  }

  /**
   * Cuts connections as a network failure would (no close frame); their sessions stay
   * recoverable for `recoveryTimeout`. Returns how many were cut.
   */
  dropConnections(botId?: string): number {
    let n = 0;
    for (const [ws, owner] of this.connections) {
      if (botId !== undefined && owner !== botId) continue;
      ws.terminate();
      n += 1;
    }
    return n;
  }

  /** Terminates every connection. */
  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.sessions.clear();
    this.tokens.clear();
    this.connections.clear();
  }

  private accept(ws: WebSocket, url: URL): void {
    ws.on('error', (err) => this.ctx.log(`ws error: ${err.message}`));
    const presented = url.searchParams.get('access_token') ?? '';
    const entry = this.tokens.get(presented);
    this.tokens.delete(presented); // single-use, whatever the outcome
    const bot = entry === undefined ? undefined : getOwn(this.ctx.store.data.bots, entry.botId);
    const record = (status: number): void =>
      this.recorder.add({
        time: this.ctx.iso(),
        transport: 'ws',
        method: 'GET',
        path: '/ws',
        query: redact(Object.fromEntries(url.searchParams)) as Record<string, unknown>,
        headers: {},
        body: undefined,
        status,
        durationMs: 0,
        receivedAt: Date.now(),
      });
    if (entry === undefined || entry.expiresAt <= this.ctx.now() || bot?.status !== 'Enabled') {
      record(401);
      const error = rcError.tokenCorrupted();
      ws.send(JSON.stringify([{ type: 'Error', messageId: uuid(), status: 401, headers: {} }, error.toBody()]));
      ws.close(1008, 'invalid token');
      return;
    }
    record(101);
    this.connections.set(ws, bot.id);
    const session = this.openSession(bot, url.searchParams.get('wsc'), ws);
    ws.on('message', (raw) => void this.onMessage(session, ws, raw));
    ws.on('close', () => {
      this.connections.delete(ws);
      if (session.socket !== ws) return;
      session.socket = undefined;
      session.disconnectedAt = this.ctx.now();
    });
  }

  private openSession(bot: Bot, wsc: string | null, ws: WebSocket): Session {
    const previous = wsc === null ? undefined : this.sessions.get(wsc);
    // The old socket may still be closing when the client reconnects; only an open one blocks recovery.
    const previousDown = previous !== undefined && previous.socket?.readyState !== WebSocket.OPEN;
    const recoverable =
      previous !== undefined &&
      previousDown &&
      previous.botId === bot.id &&
      this.ctx.now() - (previous.disconnectedAt ?? this.ctx.now()) <= CONNECTION_DETAILS.recoveryTimeout * 1000;
    if (previous !== undefined && previousDown && !recoverable) this.dropSession(previous.token);
    const session: Session = recoverable
      ? previous
      : { token: randomSecret(24), botId: bot.id, sequence: 0, socket: undefined, disconnectedAt: null, buffer: [], replaying: false };
    this.sessions.set(session.token, session);
    session.socket = ws;
    session.disconnectedAt = null;
    session.sequence += 1;
    const details: Record<string, unknown> = { creationTime: this.ctx.iso(), ...CONNECTION_DETAILS };
    if (wsc !== null) details.recoveryState = recoverable ? 'Successful' : 'Failed';
    ws.send(
      JSON.stringify([
        sessionMeta('ConnectionDetails', session),
        details,
      ]),
    );
    session.replaying = session.buffer.length > 0;
    if (session.replaying) setImmediate(() => this.replay(session, ws));
    return session;
  }

  /** Sends what was buffered while the session had no socket, unless that socket is gone again. */
  private replay(session: Session, ws: WebSocket): void {
    if (session.socket !== ws) return;
    session.replaying = false;
    if (ws.readyState !== WebSocket.OPEN) return; // stays buffered for the next recovery
    for (const frame of session.buffer.splice(0)) ws.send(frame);
  }

  private dropSession(token: string): void {
    for (const sub of Object.values(this.ctx.store.data.subscriptions)) {
      if (sub.wsSession === token) this.subs.drop(sub.id);
    }
    this.sessions.delete(token);
  }

  private async onMessage(session: Session, ws: WebSocket, raw: RawData): Promise<void> {
    let frame: unknown;
    try {
      frame = JSON.parse(raw.toString());
    } catch {
      return; // not a WSG frame
    }
    if (!Array.isArray(frame)) return;
    const meta = (frame[0] ?? {}) as WsMeta;
    if (meta.type === 'Heartbeat') {
      ws.send(JSON.stringify([{ type: 'Heartbeat', messageId: meta.messageId, status: 200 }]));
      return;
    }
    if (meta.type !== 'ClientRequest') return;
    const started = Date.now();
    const method = typeof meta.method === 'string' ? meta.method.toUpperCase() : '';
    const path = typeof meta.path === 'string' ? meta.path.split('?')[0] ?? '' : '';
    let status: number;
    let body: unknown;
    try {
      const fault = this.faults.take(method, path);
      if (fault !== undefined && 'delayMs' in fault) await this.faults.delay(fault.delayMs);
      else if (fault !== undefined) throw FaultInjector.errorFor(fault);
      [status, body] = await this.clientRequest(session, method, path, frame[1]);
    } catch (err) {
      const error = err instanceof RcApiError ? err : rcError.internal();
      if (!(err instanceof RcApiError)) this.ctx.log(`ws request failed: ${(err as Error).message}`);
      [status, body] = [error.status, error.toBody()];
    }
    const responseMeta = {
      type: 'ClientRequest',
      messageId: meta.messageId,
      status,
      headers: { 'Content-Type': 'application/json', RCRequestId: uuid() },
    };
    if (ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(body === undefined ? [responseMeta] : [responseMeta, body]));
    }
    const headers =
      typeof meta.headers === 'object' && meta.headers !== null ? (meta.headers as Record<string, string>) : {};
    this.recorder.add({
      time: this.ctx.iso(),
      transport: 'ws',
      method,
      path,
      query: {},
      headers: redactHeaders(headers),
      body: redact(frame[1]),
      status,
      durationMs: Date.now() - started,
      receivedAt: started,
    });
  }

  /** Subscription requests over the socket; one subscription per connection (a new one replaces it). */
  private async clientRequest(
    session: Session,
    method: string,
    path: string,
    body: unknown,
  ): Promise<[number, unknown]> {
    const bot = getOwn(this.ctx.store.data.bots, session.botId);
    if (bot?.status !== 'Enabled') throw rcError.loginRequired();
    const match = SUBSCRIPTION_PATH.exec(path);
    if (match === null) throw rcError.notSupported('REST over WebSocket');
    const [, id, renew] = match;
    if (id === undefined) {
      if (method !== 'POST') throw rcError.invalidUri();
      for (const sub of Object.values(this.ctx.store.data.subscriptions)) {
        if (sub.wsSession === session.token) this.subs.drop(sub.id);
      }
      const sub = await this.subs.create(bot, body, { transport: 'WebSocket', session: session.token });
      return [200, this.subs.info(sub)];
    }
    if (renew !== undefined && method === 'POST') return [200, this.subs.info(this.subs.renew(bot, id))];
    if (renew !== undefined) throw rcError.invalidUri();
    if (method === 'GET') return [200, this.subs.info(this.subs.get(bot, id))];
    if (method === 'PUT') return [200, this.subs.info(await this.subs.update(bot, id, body))];
    if (method === 'DELETE') {
      this.subs.remove(bot, id);
      return [204, undefined];
    }
    throw rcError.invalidUri();
  }
}

/** The meta of a frame the gateway sends on its own: a fresh message id and the session's recovery token. */
function sessionMeta(type: 'ServerNotification' | 'ConnectionDetails', session: { token: string; sequence: number }) {
  return { type, messageId: uuid(), status: 200, headers: { RCRequestId: uuid() }, wsc: { token: session.token, sequence: session.sequence } };
}
