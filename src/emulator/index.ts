/**
 * A local emulator of the RingCentral platform as a team-messaging bot sees it
 * (/work/shared/ringcentral-contract.md): OAuth, REST API, WebHook and WebSocket
 * notifications, interactive-message submits, plus setup, inspection and fault injection
 * for tests and the sandbox.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { EmulatorContext, type DeliveryTokenHeader, type TeamMembersListing } from './context.js';
import { controlRoutes } from './control-routes.js';
import { EmulatorInstance, type Emulator } from './emulator.js';
import { restRoutes } from './rest-routes.js';
import type { Variation } from './post-event-shape.js';
import { createServices } from './services.js';
import { StateStore, type StateCodec } from './state.js';
import type { RateLimitOptions } from './rate-limit.js';

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Port to listen on; default 0 (any free port). */
  port?: number;
  /** Interface to bind; default '127.0.0.1'. */
  host?: string;
  /** Clock for timestamps, expiry and rate windows; default `Date.now`. */
  now?: () => number;
  /** Time the Validation-Token probe may take; default 3000 ms (contract 2.3). */
  handshakeTimeoutMs?: number;
  /** Timeout of install, notification and submit calls to the bot; default 10000 ms (UNCONFIRMED). */
  outboundTimeoutMs?: number;
  /** Blacklist a WebHook subscription after this many consecutive failed deliveries; default 0 = never. */
  blacklistAfterFailures?: number;
  /**
   * The header WebHook deliveries carry the verification token in; default 'Verification-Token'.
   * The docs have named both (contract appendix "Token header on deliveries"): test with each.
   */
  deliveryTokenHeader?: DeliveryTokenHeader;
  /**
   * PostAdded without `text` (as seen on WebSocket deliveries); the bot must fetch the post.
   * `'alternate'` varies it event by event. Default false.
   */
  omitPostText?: Variation;
  /** `mentions` entries without `type` (nothing promises it); `'alternate'` varies it. Default false. */
  omitMentionType?: Variation;
  /**
   * What `GET` of a Team or Everyone chat lists as its members: 'omit' (default) or 'partial' (the
   * calling bot and one other). Never all of them: no source promises a complete list.
   */
  teamMembers?: TeamMembersListing;
  /** Load state from this JSON file at start (if present) and save it after every change. */
  statePath?: string;
  /**
   * Encodes the state file (the sandbox encrypts it with the bot's key: the emulated chat history
   * holds every card the bot posted, credentials included, and DATA_DIR must not hold them in clear).
   */
  stateCodec?: StateCodec;
  /**
   * RingCentral's rate limits: enforced by default with the documented budgets, a 60 s window and
   * a 60 s penalty that every request during it restarts (contract 7). Windows run on real time,
   * not on `now`.
   */
  rateLimits?: RateLimitOptions;
  /** Receives one line per request/notification; never tokens, secrets or Authorization headers. */
  log?: (line: string) => void;
}

/** Interval of the periodic checks (renewal reminders, WebSocket session expiry). */
export const TICK_MS = 1000;

/** Starts an emulator and resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const log = options.log ?? (() => undefined);
  const store = await StateStore.open(options.statePath, log, options.stateCodec);
  const ctx = new EmulatorContext(store, options.now ?? Date.now, log, {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 3000,
    outboundTimeoutMs: options.outboundTimeoutMs ?? 10_000,
    blacklistAfterFailures: options.blacklistAfterFailures ?? 0,
    deliveryTokenHeader: options.deliveryTokenHeader ?? 'Verification-Token',
    teamMembers: options.teamMembers ?? 'omit',
    postEvents: { omitPostText: options.omitPostText ?? false, omitMentionType: options.omitMentionType ?? false },
    statePath: options.statePath,
  });
  const services = createServices(ctx, options.rateLimits);
  const emulator = new EmulatorInstance(services);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(services.recorder.middleware());
  if (options.statePath !== undefined) app.use(saveBeforeResponding(store));
  app.use('/_emulator', controlRoutes(emulator));
  app.use(restRoutes({ ...services, ws: services.ws }));

  const server = http.createServer(app);
  services.ws.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.options.port, ctx.options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = ['0.0.0.0', '::'].includes(ctx.options.host) ? '127.0.0.1' : ctx.options.host;
  ctx.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  emulator.url = ctx.baseUrl;
  log(`emulator listening on ${ctx.baseUrl}`);

  const ticker = setInterval(() => void emulator.tick().catch(() => undefined), TICK_MS);
  ticker.unref();

  emulator.setCloser(async () => {
    clearInterval(ticker);
    ctx.shutdown();
    services.faults.close();
    await services.ws.close();
    services.http.abortAll();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.flush();
    log('emulator closed');
  });
  return emulator;
}

export type { StateCodec } from './state.js';
export type { ContentChange, DeliveryTokenHeader, TeamMembersListing } from './context.js';
export type { Variation } from './post-event-shape.js';
export type { Emulator, EmulatorSummary, ContentFilter, UserPostInput } from './emulator.js';
export type { AddPersonInput, CreateAccountInput, RegisterAppInput } from './directory.js';
export type { CreateChatInput, MemberRef } from './chats.js';
export type { InstallBotInput, InstallResult, UninstallBotInput } from './install.js';
export type { DialogRecord, SignedRequest, SubmitInput, SubmitPayload, SubmitResult } from './submit.js';
export type { DeliveryRecord, NotificationEnvelope } from './deliver.js';
export type { RecordedRequest } from './recorder.js';
export type { Fault, FaultMatch } from './faults.js';
export type { RateGroup, RateLimitOptions } from './rate-limit.js';
export type { WaitForOptions } from './wait-for.js';
export type {
  Account,
  AdaptiveCardJson,
  App,
  AppKind,
  Bot,
  CardVersion,
  Chat,
  ChatType,
  Mention,
  Person,
  Post,
  StoredCard,
  SubscriptionRecord,
} from './model.js';
export type { RcErrorBody, RcErrorDetail, EmulatorErrorCode } from './errors.js';
export { EmulatorError, RcApiError, OAuthError } from './errors.js';
export { glipSignature } from './submit.js';
export { waitFor } from './wait-for.js';

/**
 * With state kept on disk (the sandbox), a change is saved before the response that reports it
 * leaves: the bot acts on what RingCentral answered, so the saved state must never lag behind it,
 * or a restart after a kill would show cards older than the bot's own records.
 */
function saveBeforeResponding(store: StateStore): express.RequestHandler {
  return (_req, res, next) => {
    const end = res.end.bind(res) as (...args: unknown[]) => express.Response;
    res.end = ((...args: unknown[]) => {
      void store.flush().finally(() => end(...args));
      return res;
    }) as typeof res.end;
    next();
  };
}
