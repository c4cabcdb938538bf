/**
 * Fault injection for the REST API (never for `/_emulator` control routes): make the next N
 * matching requests fail with 401/429/500/503 or answer slowly. REST requests sent over the
 * WebSocket gateway (ClientRequest frames) count as REST requests too. Faults come before rate
 * enforcement: an injected 429 neither counts in the window nor starts a penalty.
 */
import type { NextFunction, Request, Response } from 'express';
import { rcError, type RcApiError } from './errors.js';
import { rateGroupFor, setRateHeaders, type RateLimiter } from './rate-limit.js';

/** A fault to inject. */
export type Fault =
  /** Rate limit: 429 CMN-301, `X-Rate-Limit-*` with Remaining 0, `Retry-After` (seconds) if given. */
  | { status: 429; retryAfter?: number }
  /** 503 CMN-201, `Retry-After` if given. */
  | { status: 503; retryAfter?: number }
  /** 500 CMN-203. */
  | { status: 500 }
  /** 401 OAU-129, as for a token the platform does not (momentarily) accept. */
  | { status: 401 }
  /** Answer normally, but only after `delayMs` (for client timeouts). */
  | { delayMs: number };

/** Which requests a fault applies to; omitted fields match everything. */
export interface FaultMatch {
  method?: string;
  pathPrefix?: string;
}

interface Armed {
  remaining: number;
  fault: Fault;
  match: FaultMatch;
}

/** Queue of armed faults; the oldest matching one is used first. */
export class FaultInjector {
  private readonly armed: Armed[] = [];
  private readonly delays = new Set<NodeJS.Timeout>();

  /** `limiter` supplies the budget and window an injected 429's headers show. */
  constructor(private readonly limiter?: RateLimiter) {}

  /** Arms `fault` for the next `count` matching requests. */
  failNext(count: number, fault: Fault, match: FaultMatch = {}): void {
    if (count > 0) this.armed.push({ remaining: count, fault, match });
  }

  /** Faults still armed (sum of remaining counts). */
  pending(): number {
    return this.armed.reduce((n, a) => n + a.remaining, 0);
  }

  /** Disarms everything. */
  clear(): void {
    this.armed.length = 0;
  }

  /** Takes the fault for this request, if any. */
  take(method: string, path: string): Fault | undefined {
    const index = this.armed.findIndex(
      (a) =>
        (a.match.method === undefined || a.match.method.toUpperCase() === method.toUpperCase()) &&
        (a.match.pathPrefix === undefined || path.startsWith(a.match.pathPrefix)),
    );
    const armed = this.armed[index];
    if (armed === undefined) return undefined;
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.armed.splice(index, 1);
    return armed.fault;
  }

  /** The error a failing fault answers with. */
  static errorFor(fault: Exclude<Fault, { delayMs: number }>): RcApiError {
    if (fault.status === 429) return rcError.rateExceeded();
    if (fault.status === 401) return rcError.tokenCorrupted();
    return fault.status === 503 ? rcError.unavailable() : rcError.internal();
  }

  /** Waits `ms` like a slow answer; close() cancels it (it then never resolves: the socket is gone). */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve();
      }, ms);
      this.delays.add(timer);
    });
  }

  /** Express middleware; mount on the REST API only. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const fault = this.take(req.method, req.path);
      if (fault === undefined) {
        next();
        return;
      }
      if ('delayMs' in fault) {
        const timer = setTimeout(() => {
          this.delays.delete(timer);
          next();
        }, fault.delayMs);
        this.delays.add(timer);
        return;
      }
      const error = FaultInjector.errorFor(fault);
      if (fault.status === 429) {
        const group = rateGroupFor(req.method, req.path);
        setRateHeaders(res, group, 0, this.limiter?.limit(group), this.limiter?.windowSec);
      }
      if ('retryAfter' in fault && fault.retryAfter !== undefined) res.set('Retry-After', String(fault.retryAfter));
      res.status(error.status).json(error.toBody());
    };
  }

  /** Cancels pending slow answers (their sockets are closed by the server shutdown). */
  close(): void {
    for (const timer of this.delays) clearTimeout(timer);
    this.delays.clear();
  }
}
