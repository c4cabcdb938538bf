import type { Logger } from './logger.js';

/**
 * oidc-provider prints its notices straight to the console ("oidc-provider WARNING: Unsupported
 * runtime…" when it is imported, "…already parsed request body detected…" per request), which
 * breaks the one-JSON-object-a-line log and skips redaction. Importing this module first (see
 * src/main.ts) catches them from the start: they are held until routeLibraryNotices names the log,
 * then written through it. Every other console call passes through untouched.
 *
 * Process-wide on purpose: the console is, and so are a library's notices.
 *
 * @example
 *   import './lib/library-notices.js'; // first import of the entry point
 *   routeLibraryNotices(log);
 */

const NOTICE = /^oidc-provider (NOTICE|WARNING): ([\s\S]*)$/;
// When stdout is a terminal the library colours its text.
const ANSI = /\x1b\[[0-9;]*m/g;
/** Notices held before the log exists; a start-up that fails before then prints them as they were. */
const MAX_HELD = 50;

type Notice = { level: 'info' | 'warn'; text: string; original: unknown[] };
let log: Logger | undefined;
const held: Notice[] = [];

function write(n: Notice) {
  if (log) log[n.level]('oidc-provider notice', { source: 'oidc-provider', notice: n.text });
  else if (held.length < MAX_HELD) held.push(n);
}

function parse(args: unknown[]): Notice | undefined {
  if (args.length !== 1 || typeof args[0] !== 'string') return undefined;
  const m = NOTICE.exec(args[0].replace(ANSI, ''));
  return m ? { level: m[1] === 'WARNING' ? 'warn' : 'info', text: m[2]!, original: args } : undefined;
}

const original = { info: console.info.bind(console), warn: console.warn.bind(console) };
let installed = false;

/** Starts catching the library's notices (done on import; calling again does nothing). */
export function catchLibraryNotices(): void {
  if (installed) return;
  installed = true;
  for (const method of ['info', 'warn'] as const) {
    console[method] = (...args: unknown[]) => {
      const notice = parse(args);
      if (notice) write(notice);
      else original[method](...args);
    };
  }
  process.once('exit', () => {
    for (const n of held.splice(0)) original[n.level](...n.original);
  });
}

/** Writes caught notices (those held so far, then each new one) through `logger`. */
export function routeLibraryNotices(logger: Logger): void {
  log = logger;
  for (const n of held.splice(0)) write(n);
}

catchLibraryNotices();
