import { pino, stdTimeFunctions, destination, type DestinationStream } from 'pino';
import { createRedactor } from './redact.js';

/**
 * The bot's structured log, on pino: one JSON object a line (`level` as a word, `time` ISO 8601,
 * `msg`, then the fields), written to stdout or to a sink. Everything written passes through
 * src/lib/redact.ts first: secret-looking keys, registered secret values and secret shapes are
 * masked, errors reduced to name, message, code and cause.
 *
 * @example
 *   const log = createLogger({ level: 'info' });
 *   log.addSecret(accessToken);
 *   log.child({ eventId }).info('post received', { chatId });
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

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
  /** Receives each line without its newline (tests keep them); stdout when absent. */
  sink?: (line: string) => void;
}

export function createLogger({ level = 'info', sink }: LoggerOptions = {}): Logger {
  const redactor = createRedactor();
  // Synchronous stdout: main.ts exits right after shutdown, and a buffered line would be lost.
  const out: DestinationStream = sink ? { write: (line: string) => sink(line.endsWith('\n') ? line.slice(0, -1) : line) } : destination({ dest: 1, sync: true });
  const root = pino(
    {
      level,
      base: null, // no pid or hostname: the platform adds those
      timestamp: stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        // Every field of every line, the bound ones included, is scrubbed at write time: a secret
        // registered after a child was made is still masked in that child's fields.
        log: (fields) => redactor.scrub(fields) as Record<string, unknown>,
      },
      // `msg` is scrubbed too; `err` is already reduced by the scrub, so pino's own error
      // serializer (which adds the stack) must not see it.
      serializers: { msg: (m: unknown) => (typeof m === 'string' ? redactor.scrubString(m) : m), err: (e: unknown) => e },
    },
    out,
  );

  // Bound fields are kept here rather than in pino's child bindings, which pino serializes once
  // when the child is made (before a secret learned later could mask them).
  function make(bound: Record<string, unknown>): Logger {
    const write = (lvl: Level) => (msg: string, fields?: Record<string, unknown>) => {
      if (!root.isLevelEnabled(lvl)) return;
      root[lvl]({ ...bound, ...fields }, msg);
    };
    return {
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      child: (fields) => make({ ...bound, ...fields }),
      addSecret: (v) => redactor.add(v),
      removeSecret: (v) => redactor.remove(v),
    };
  }
  return make({});
}
