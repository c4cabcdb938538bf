import pg from 'pg';
import { AppError } from '../../lib/errors.js';
import { advisoryKey, type Tables } from './tables.js';

/** Another holder of the instance lock keeps this store from being opened the way it was asked. */
export class StoreInUseError extends AppError {
  constructor(message: string) {
    super('STORE_IN_USE', message);
    this.name = 'StoreInUseError';
  }
}

export interface InstanceLock {
  release(): Promise<void>;
}

/**
 * Who has a PostgreSQL store open, as DATA_DIR's lock file says it for lowdb: every bot instance
 * holds a shared advisory lock on a connection of its own for as long as it runs; a tool that must
 * run alone (the re-key) takes the same lock exclusively. Neither waits: a re-key is refused while
 * any instance runs, and an instance refuses to start while a re-key runs. A process that dies
 * loses its session and with it the lock.
 *
 * A shared holder whose connection is lost takes the lock again in the background (every
 * `retryMs`), reporting each failure to `onError`; it keeps running meanwhile.
 *
 * @example
 *   const lock = await holdInstanceLock({ connectionString: url }, tables, 'shared');
 *   ...
 *   await lock.release();
 */
export async function holdInstanceLock(
  config: pg.ClientConfig,
  t: Tables,
  mode: 'shared' | 'exclusive',
  options: { onError?: (err: Error) => void; retryMs?: number } = {},
): Promise<InstanceLock> {
  const key = advisoryKey(t, 'instance');
  const take = mode === 'shared' ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
  const onError = options.onError ?? (() => {});
  let released = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  async function connect(): Promise<pg.Client> {
    const c = new pg.Client({ ...config, application_name: 'registrar-instance', keepAlive: true });
    c.on('error', (err) => onError(err)); // an idle connection's error must not end the process
    await c.connect();
    try {
      const got = (await c.query<{ got: boolean }>({ text: `SELECT ${take}(hashtextextended($1, 0)) AS got`, values: [key] })).rows[0]?.got;
      if (!got) {
        throw new StoreInUseError(
          mode === 'shared'
            ? `the PostgreSQL store (schema "${t.schema}") is being re-keyed (npm run rekey): start the bot once that has finished`
            : `the PostgreSQL store (schema "${t.schema}") is in use by running Registrar instances: stop every instance first, then run this again`,
        );
      }
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    c.once('end', () => {
      if (released || mode !== 'shared') return;
      onError(new Error('the connection holding the instance lock ended; taking it again'));
      schedule();
    });
    return c;
  }

  function schedule() {
    retry = setTimeout(() => {
      connect().then(
        (c) => {
          if (released) void c.end().catch(() => undefined);
          else client = c;
        },
        (err: Error) => {
          onError(err);
          if (!released) schedule();
        },
      );
    }, options.retryMs ?? 5_000);
    retry.unref();
  }

  client = await connect();
  return {
    async release() {
      released = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined); // ending the session releases its locks
    },
  };
}
