/**
 * A small structured logger. Each line is one JSON object written to a sink (stdout by default).
 * Values under keys that look secret are replaced before anything is written, and every string is
 * passed through the registered secret values, so a token that slips into a message is masked too.
 *
 * @example
 *   const log = createLogger({ level: 'info' });
 *   log.child({ eventId }).info('post received', { chatId });
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  /** Registers a value that must never appear in output (tokens, secrets learned at run time). */
  addSecret(value: string | undefined): void;
  /** Forgets a value registered with addSecret (a token that was replaced), so masking stays cheap. */
  removeSecret(value: string | undefined): void;
}

export interface LoggerOptions {
  level?: Level | 'silent';
  sink?: (line: string) => void;
}

const SECRET_KEY = /token|secret|password|authorization|signature|credential|cookie|^code$/i;
const REDACTED = '[redacted]';

export function createLogger({ level = 'info', sink = (l) => process.stdout.write(l + '\n') }: LoggerOptions = {}): Logger {
  const secrets = new Set<string>();
  const threshold = ORDER[level];

  function scrub(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') {
      let out = value;
      for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
      return out;
    }
    if (value instanceof Error) {
      const cause = value.cause instanceof Error ? scrub(value.cause, depth + 1) : undefined;
      return { name: value.name, message: scrub(value.message), code: (value as { code?: unknown }).code, ...(cause ? { cause } : {}) };
    }
    if (value === null || typeof value !== 'object' || depth > 5) return value;
    if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? REDACTED : scrub(v, depth + 1);
    return out;
  }

  function make(bound: Record<string, unknown>): Logger {
    const write = (lvl: Level, msg: string, fields?: Record<string, unknown>) => {
      if (ORDER[lvl] < threshold) return;
      const record = scrub({ time: new Date().toISOString(), level: lvl, msg, ...bound, ...fields });
      sink(JSON.stringify(record));
    };
    return {
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
      child: (fields) => make({ ...bound, ...fields }),
      addSecret: (v) => {
        // Very short values would mask ordinary words; real secrets are long.
        if (v && v.length >= 8) secrets.add(v);
      },
      removeSecret: (v) => {
        if (v) secrets.delete(v);
      },
    };
  }
  return make({});
}
