import type { EventEmitter } from 'node:events';
import type { SDK } from '@ringcentral/sdk';
import type { Logger } from '../lib/logger.js';
import { RingCentralError } from './rc-client.js';

/**
 * WebSocket delivery through the unmodified @ringcentral/subscriptions client (contract 2.6).
 * Notifications arrive as the same envelope a webhook carries, and go to the same handler.
 */
export interface WsHandle {
  subscriptionId: string | undefined;
  /**
   * True once the client has lost its subscription for good: after a failed session recovery the
   * gateway refused the new subscription, and the client does not try again. Subscribe anew.
   */
  readonly lost: boolean;
  /** Drops the subscription (best effort) and stops the socket and its recovery timers. */
  close(): Promise<void>;
}

/**
 * The parts of an `@rc-ex/ws` WebSocketExtension this module touches (EX
 * `packages/extensions/ws/src/index.ts` at 1.3.17); the package is a dependency of
 * @ringcentral/subscriptions, not ours, so it is described here rather than imported.
 */
interface WsExtension {
  eventEmitter: EventEmitter;
  wsToken?: unknown;
  wsTokenExpiresAt: number;
  ws?: { close(): void; terminate?: () => void };
  intervalHandle?: ReturnType<typeof setInterval>;
  pingServerHandle?: ReturnType<typeof setTimeout>;
  _recoverPromise?: Promise<void>;
  _connectPromise?: Promise<void>;
  recover(): Promise<void>;
  disable(): void;
  revoke(keepInterval?: boolean): Promise<void>;
}

/** The socket as the extension hands it out: the `ws` package's WebSocket under isomorphic-ws. */
interface WsSocket {
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
}

function isWsExtension(ext: unknown): ext is WsExtension {
  return typeof ext === 'object' && ext !== null && 'eventEmitter' in ext && 'wsTokenExpiresAt' in ext && typeof (ext as WsExtension).revoke === 'function';
}

/**
 * Subscribes to `eventFilters` over a WebSocket. Resolves once the gateway accepted the
 * subscription; rejects with a {@link RingCentralError} carrying the platform's errorCode (SUB-406
 * and the like) whatever the client library threw, after closing every socket and timer it opened.
 *
 * @example
 * const socket = await subscribeOverWebSocket(client.sdk, EVENT_FILTERS, onNotification, { log, onLost: resubscribe });
 * // later
 * await socket.close();
 */
export async function subscribeOverWebSocket(
  sdk: SDK,
  eventFilters: string[],
  onNotification: (envelope: unknown) => void,
  options: { log?: Logger; onLost?: (err: RingCentralError) => void } = {},
): Promise<WsHandle> {
  // Loaded on first use: the library costs ~30 MB and a few hundred ms at start-up, and a bot on
  // webhook delivery (the default) never needs it.
  const { Subscriptions } = await import('@ringcentral/subscriptions');
  const subscriptions = new Subscriptions({ sdk });
  const extensions: WsExtension[] = [];
  let open = true;
  let lost = false;

  // The extension opens its first socket while it is being installed, before register() could
  // hand it to us: watch it from the moment it is installed.
  const rc = subscriptions.rc;
  const install = rc.installExtension.bind(rc);
  rc.installExtension = async (ext) => {
    if (isWsExtension(ext)) watch(ext);
    return install(ext);
  };

  function watch(ext: WsExtension): void {
    extensions.push(ext);
    ext.eventEmitter.on('newWebSocketObject', (ws: WsSocket) => {
      // A WebSocket token is "good for a single-use only" (D websockets/subscribing.md), but the
      // extension keeps it for 80 % of its lifetime and would recover with it, to be refused.
      ext.wsToken = undefined;
      ext.wsTokenExpiresAt = 0;
      // Without a listener, an 'error' (gateway unreachable) would be thrown as an uncaught exception.
      ws.addEventListener('error', (event) => {
        if (open) options.log?.warn('WebSocket error', { error: event.message });
      });
      // Listening from the socket's creation: the extension re-attaches its own listener only after
      // ConnectionDetails has been handled, a microtask too late for notifications replayed at
      // recovery that arrive in the same network read.
      ws.addEventListener('message', (event) => dispatch(event.data));
    });
    // When the subscribe that follows a failed session recovery is refused, the extension rethrows
    // the answer from its recovery timer, where nothing catches it (an unhandled rejection that
    // ends the process), and never subscribes again. Other errors it retries by itself.
    const recover = ext.recover.bind(ext);
    ext.recover = async () => {
      try {
        await recover();
      } catch (err) {
        if (!isGatewayAnswer(err)) throw err;
        if (!open || lost) return;
        lost = true;
        options.onLost?.(await asRingCentralError(err));
      }
    };
  }

  function dispatch(data: unknown): void {
    if (!open) return;
    let frame: unknown;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return; // not a notification (multipart REST answers are never sent to us)
    }
    if (!Array.isArray(frame)) return;
    const [meta, body] = frame as [{ type?: unknown } | undefined, unknown];
    // The socket carries only this subscription's session: every ServerNotification is ours.
    if (meta?.type !== 'ServerNotification' || typeof body !== 'object' || body === null) return;
    onNotification(body);
  }

  async function close(): Promise<void> {
    open = false;
    await Promise.all(extensions.map((ext) => shutdown(ext)));
  }

  const subscription = subscriptions.createSubscription();
  try {
    const registered = await subscription.setEventFilters(eventFilters).register();
    return {
      subscriptionId: registered.subscriptionInfo?.id,
      get lost() {
        return lost;
      },
      close,
    };
  } catch (err) {
    await close();
    throw await asRingCentralError(err);
  }
}

/**
 * Stops an extension for good. revoke() also asks the gateway to drop the subscription, which
 * fails when the socket or the token is gone, and then leaves the recovery timer running; and a
 * recovery in flight re-enables the extension and re-arms that timer when it ends. So: revoke,
 * wait out any recovery, then stop what is left.
 */
async function shutdown(ext: WsExtension): Promise<void> {
  ext.disable();
  await ext.revoke().catch(() => undefined);
  while (ext._recoverPromise ?? ext._connectPromise) {
    await Promise.allSettled([ext._recoverPromise, ext._connectPromise]);
  }
  await new Promise((resolve) => setImmediate(resolve)); // the recovery check re-arms its timer after it
  ext.disable();
  clearInterval(ext.intervalHandle);
  clearTimeout(ext.pingServerHandle);
  if (ext.ws?.terminate) ext.ws.terminate();
  else ext.ws?.close();
}

/** A RestException of @rc-ex/core: the gateway's answer to a request over the socket, as `response.data`. */
function isGatewayAnswer(err: unknown): boolean {
  const response = (err as { response?: unknown } | undefined)?.response;
  return typeof response === 'object' && response !== null && 'data' in response && !('clone' in response);
}

/**
 * The library throws a RestException of @rc-ex/core (`response.data` holds the body) for answers
 * over the socket, the SDK's error (`response` is a fetch Response) for REST calls such as the
 * WebSocket token, and a ConnectionException (`wsgError`) for an Error frame. All become one
 * RingCentralError so callers can read the errorCode (contract 1.4: SUB-406, OAU-232).
 */
async function asRingCentralError(err: unknown): Promise<RingCentralError> {
  if (err instanceof RingCentralError) return err;
  const response = (err as { response?: unknown } | undefined)?.response as
    | { status?: unknown; data?: unknown; clone?: () => { json(): Promise<unknown> } }
    | undefined;
  let body: unknown = (err as { wsgError?: unknown } | undefined)?.wsgError;
  if (response && typeof response.clone === 'function') body = await response.clone().json().catch(() => undefined);
  else if (response && 'data' in response) body = response.data;
  const status = typeof response?.status === 'number' ? response.status : undefined;
  const errorCode = errorCodeOf(body);
  const message = `WebSocket subscribe failed${status ? ` with HTTP ${status}` : ''}${errorCode ? ` (${errorCode})` : ''}`;
  return new RingCentralError(message, status, errorCode, { cause: err });
}

/** Top-level `errorCode` or the first of `errors[]` (contract 7: both forms are in use). */
function errorCodeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { errorCode, errors } = body as { errorCode?: unknown; errors?: unknown };
  if (typeof errorCode === 'string') return errorCode;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  const nested = typeof first === 'object' && first !== null ? (first as { errorCode?: unknown }).errorCode : undefined;
  return typeof nested === 'string' ? nested : undefined;
}
