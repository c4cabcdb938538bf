/**
 * Records every request the emulator receives (HTTP and WebSocket ClientRequests), for tests
 * to inspect. Secrets never enter the record: the Authorization header keeps only its scheme,
 * and token/secret/code fields of bodies and queries are replaced.
 */
import type { NextFunction, Request, Response } from 'express';
import type { EmulatorContext } from './context.js';
import { MAX_RECORDS } from './deliver.js';

/** One received request. */
export interface RecordedRequest {
  id: number;
  time: string;
  transport: 'http' | 'ws';
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body: unknown;
  status: number;
  durationMs: number;
  /** Real time (epoch ms) it arrived; `time` follows the emulator's clock, which tests move. */
  receivedAt: number;
}

/** Placeholder for removed secrets. */
export const REDACTED = '[redacted]';

const SECRET_KEYS = new Set([
  'access_token',
  'refresh_token',
  'ws_access_token',
  'token',
  'client_secret',
  'code',
  'password',
  'wsc',
]);

/**
 * A copy of a body or query with secret-named top-level fields (and a subscription's
 * `deliveryMode.verificationToken`) replaced. Only the top level is scanned so that card
 * bodies with an input named "code" are recorded as sent.
 */
export function redact(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.has(k) ? REDACTED : v;
  const mode = out.deliveryMode;
  if (typeof mode === 'object' && mode !== null && 'verificationToken' in mode) {
    out.deliveryMode = { ...mode, verificationToken: REDACTED };
  }
  return out;
}

/** Header map with Authorization reduced to its scheme. */
export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (name.toLowerCase() === 'authorization') {
      out[name] = `${text.split(/\s+/)[0] ?? ''} ${REDACTED}`;
    } else if (['cookie', 'validation-token', 'verification-token'].includes(name.toLowerCase())) {
      out[name] = REDACTED;
    } else {
      out[name] = text;
    }
  }
  return out;
}

/** Keeps the request log. */
export class RequestRecorder {
  /** Every request, oldest first (bounded to the most recent {@link MAX_RECORDS}). */
  readonly records: RecordedRequest[] = [];
  private nextId = 1;

  constructor(private readonly ctx: EmulatorContext) {}

  /** Adds a record and logs one line (method, path, status: never query strings or bodies). */
  add(entry: Omit<RecordedRequest, 'id'>): void {
    this.records.push({ id: this.nextId++, ...entry });
    if (this.records.length > MAX_RECORDS) this.records.shift();
    const prefix = entry.transport === 'ws' ? 'ws ' : '';
    this.ctx.log(`${prefix}${entry.method} ${entry.path} -> ${entry.status} (${entry.durationMs} ms)`);
  }

  /** Express middleware recording each HTTP request when its response finishes. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const started = this.ctx.now();
      const startedReal = Date.now();
      // Captured now: routers mounted on a prefix rewrite req.url while they run.
      const path = req.path;
      const query = redact({ ...(req.query as Record<string, unknown>) }) as Record<string, unknown>;
      res.on('finish', () => {
        this.add({
          time: this.ctx.iso(started),
          transport: 'http',
          method: req.method,
          path,
          query,
          headers: redactHeaders(req.headers),
          body: redact(req.body),
          status: res.statusCode,
          durationMs: Date.now() - startedReal,
          receivedAt: startedReal,
        });
      });
      next();
    };
  }
}
