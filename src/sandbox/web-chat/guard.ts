/**
 * What keeps the sandbox's chat page to the person at this machine: it has no sign-in, and it can
 * post as anyone, so requests from other sites must not reach it. Three checks, each for a way in:
 * the Host header (DNS rebinding points another name at 127.0.0.1), the Origin of writes (a page
 * elsewhere posting a form), and a JSON content type (which a form cannot send without a preflight).
 */
import type { NextFunction, Request, Response } from 'express';
import { isIP } from 'node:net';
import { hostname } from 'node:os';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for an interface only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The page's Content-Security-Policy: scripts, styles and fetches from the page's own origin only;
 * images also from the origins dialog icons may come from (the bot's own icon by default).
 */
export function contentSecurityPolicy(imageOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: ${imageOrigins.join(' ')}`.trim(),
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Options of {@link pageGuard}. */
export interface GuardOptions {
  /** The interface the page listens on; on loopback the Host header must name loopback too. */
  bindHost: string;
  port: () => number;
  imageOrigins: readonly string[];
}

/**
 * Express middleware: security headers on every answer; refuses foreign Host headers (on loopback),
 * cross-origin writes and writes that are not JSON.
 * @example app.use(pageGuard({ bindHost: '127.0.0.1', port: () => port, imageOrigins: [] }))
 */
export function pageGuard({ bindHost, port, imageOrigins }: GuardOptions) {
  const csp = contentSecurityPolicy(imageOrigins);
  return function guard(req: Request, res: Response, next: NextFunction): void {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    const host = req.headers.host ?? '';
    if (!allowedHost(host, port(), bindHost)) {
      res.status(421).json({ error: isLoopbackHost(bindHost) ? 'This page answers only on a loopback address.' : 'This page answers only to its own address (an IP address, this machine\'s name or SANDBOX_WEB_HOST).' });
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) {
      res.status(403).json({ error: 'Cross-origin requests are refused.' });
      return;
    }
    if (!req.is('application/json')) {
      res.status(415).json({ error: 'Send JSON (Content-Type: application/json).' });
      return;
    }
    next();
  };
}

/**
 * The names the page answers to. On loopback: loopback names only. Bound wider: also IP addresses,
 * this machine's name and SANDBOX_WEB_HOST itself, but no other DNS name, since a name an attacker
 * controls can be pointed at this machine (DNS rebinding) while keeping the attacker's origin.
 */
function allowedHost(hostHeader: string, port: number, bindHost: string): boolean {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader);
  if (!match || Number(match[2] ?? 80) !== port) return false;
  const name = match[1]!.toLowerCase();
  if (isLoopbackHost(name)) return true;
  if (isLoopbackHost(bindHost)) return false;
  return isIP(name.replace(/^\[|\]$/g, '')) !== 0 || name === bindHost.toLowerCase() || name === hostname().toLowerCase();
}
