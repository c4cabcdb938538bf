import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../lib/logger.js';
import type { Metrics, WebhookOutcome } from '../metrics/metrics.js';
import { safeEqual } from './verify-signature.js';

/** Deliveries handled at once before intake waits for them: memory stays flat under a flood. */
export const MAX_IN_FLIGHT = 1000;
const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookOptions {
  verificationToken: string;
  /**
   * Takes a verified delivery in (the inbox stores it) and resolves, once it is safe to answer,
   * to its handling, which starts after the 200 has gone.
   */
  intake: (body: unknown) => Promise<() => Promise<void>>;
  log: Logger;
  metrics: Metrics;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** True when the request says it has no body: `Content-Length: 0`, or neither a length nor chunks. */
function declaredEmpty(req: IncomingMessage): boolean {
  const length = header(req, 'content-length');
  return length === undefined ? header(req, 'transfer-encoding') === undefined : Number(length) === 0;
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}), 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/**
 * POST /bot/webhook: RingCentral's subscription deliveries, handled on node:http directly (it is
 * the bot's busiest route: every post in every chat the bot is in arrives here).
 * - The handshake (the URL check done while a subscription is created) is a request with a
 *   Validation-Token header and an empty body: echo the header, 200, empty body (contract 2.3).
 * - Anything else is a delivery and must carry our verification token, in Verification-Token or in
 *   Validation-Token: the docs have named both for deliveries (D `notifications/webhooks/receiving.md`
 *   before and after 2023; contract appendix "Token header on deliveries"). Neither, or a wrong one:
 *   401, and the body is never acted on. A body of known length is only read once the token checks.
 * - A verified delivery is stored (src/delivery/inbox.ts), then acknowledged, then handled after
 *   the response, so slow work never makes RingCentral time out (and blacklist the subscription)
 *   and a crash after the 200 loses nothing; past MAX_IN_FLIGHT deliveries in hand, the answer
 *   waits for the handling, which slows intake instead of growing memory.
 *
 * @example
 *   const webhook = createWebhookHandler({ verificationToken, intake, log, metrics });
 *   http.createServer((req, res) => (req.url === '/bot/webhook' ? webhook(req, res) : app(req, res)));
 */
export function createWebhookHandler({ verificationToken, intake, log, metrics }: WebhookOptions) {
  if (!verificationToken) throw new Error('the webhook route needs a non-empty verification token');
  let inFlight = 0;
  // One child per outcome, made once: this is the busiest route, so no label lookup per delivery.
  const outcomes: WebhookOutcome[] = ['accepted', 'handshake', 'bad_token', 'too_large', 'bad_json'];
  const count = Object.fromEntries(outcomes.map((o) => [o, metrics.deliveries.labels({ route: 'webhook', outcome: o })])) as Record<WebhookOutcome, { inc(): void }>;

  const echo = (res: ServerResponse, validation: string) => {
    count.handshake.inc();
    send(res, 200, undefined, { 'validation-token': validation, 'content-type': 'application/json' });
  };
  const reject = (res: ServerResponse) => {
    count.bad_token.inc();
    log.warn('webhook rejected: bad verification token');
    send(res, 401, { error: 'unauthorized' });
  };
  // Both headers are compared every time, so the timing says nothing about which one was tried.
  const verified = (req: IncomingMessage) => {
    const inVerification = safeEqual(header(req, 'verification-token'), verificationToken);
    const inValidation = safeEqual(header(req, 'validation-token'), verificationToken);
    return inVerification || inValidation;
  };

  function handle(run: () => Promise<void>) {
    inFlight++;
    return run()
      .catch((err: unknown) => log.error('notification handling failed', { err }))
      .finally(() => inFlight--);
  }

  return function webhook(req: IncomingMessage, res: ServerResponse): void {
    const validation = header(req, 'validation-token');
    if (validation !== undefined && declaredEmpty(req)) {
      req.resume();
      echo(res, validation);
      return;
    }
    if (header(req, 'transfer-encoding') === undefined && !verified(req)) {
      req.resume();
      reject(res);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      if (tooLarge) {
        count.too_large.inc();
        return send(res, 413, { error: 'body too large' });
      }
      const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      if (raw.length === 0 && validation !== undefined) return echo(res, validation); // a chunked handshake
      if (!verified(req)) return reject(res);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        count.bad_json.inc();
        return send(res, 400, { error: 'body is not JSON' });
      }
      count.accepted.inc();
      const full = inFlight >= MAX_IN_FLIGHT;
      if (full) inFlight++; // counted from now, so a burst cannot slip past the limit while storing
      void intake(body).then(
        (run) => {
          if (full) {
            inFlight--;
            void handle(run).then(() => send(res, 200));
            return;
          }
          send(res, 200);
          setImmediate(() => void handle(run));
        },
        (err: unknown) => {
          if (full) inFlight--;
          // intake never rejects by design (a failed store write still handles the delivery); be safe anyway.
          log.error('taking in a notification failed', { err });
          send(res, 200);
        },
      );
    });
  };
}
