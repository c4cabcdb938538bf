import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startChild } from '../../helpers/child-process.js';
import { until } from '../../helpers/poll.js';
import { StoreWriteError } from '../../../src/store/store.js';
import { advisoryKey, tablesIn } from '../../../src/store/postgres/tables.js';
import { freshSchema, openPostgresStore, postgresUrl, rawQuery } from '../../helpers/postgres.js';

const holder = join(import.meta.dirname, '..', '..', 'helpers', 'postgres-lock-holder.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PostgreSQL locks', () => {
  it('held by a process that is killed are released with its connection', async () => {
    const schema = freshSchema();
    const store = await openPostgresStore({ schema });
    const child = startChild({ PG_URL: postgresUrl(), PG_SCHEMA: schema, HOLD_LOCK: 'person:1', HOLD_EXCLUSIVE: 'sweep' }, holder);
    try {
      await child.waitFor('holding');
      expect(await store.exclusive('sweep', async () => 'ran')).toBeUndefined();
      let ran = false;
      const waiting = store.lock('person:1', async () => {
        ran = true;
        return 'got it';
      });
      await sleep(300);
      expect(ran).toBe(false);
      expect(await store.lock('person:2', async () => 'another key goes on')).toBe('another key goes on');

      await child.kill('SIGKILL');
      expect(await waiting).toBe('got it');
      // Each of the killed process's sessions is ended by the server on its own: the one holding
      // 'sweep' may go a moment after the one holding 'person:1' (seen under a loaded full run).
      await until(async () => (await store.exclusive('sweep', async () => 'ran')) === 'ran', "'sweep' was never released");
    } finally {
      await child.kill('SIGKILL');
      await store.close();
    }
  });

  it('belong to one store: another schema on the same database takes the same key at once', async () => {
    const a = await openPostgresStore();
    const b = await openPostgresStore();
    let release!: () => void;
    const holding = a.lock('person:1', () => new Promise<void>((r) => (release = r)));
    await sleep(20);
    expect(await b.lock('person:1', async () => 'not blocked')).toBe('not blocked');
    expect(await b.exclusive('sweep', async () => 'ran')).toBe('ran');
    release();
    await holding;
    await Promise.all([a.close(), b.close()]);
  });

  /** Ends the server session holding `kind`/`name` of `schema` (as an operator or a failover would). */
  async function dropLockSession(schema: string, kind: 'lock' | 'exclusive', name: string) {
    const rows = await rawQuery<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`,
      [advisoryKey(tablesIn(schema), kind, name)],
    );
    expect(rows.map((r) => r.ended)).toEqual([true]);
  }

  it.each(['lock', 'exclusive'] as const)('%s: work whose lock connection is lost writes nothing more, and is told', async (kind) => {
    const schema = freshSchema();
    const [a, b] = [await openPostgresStore({ schema }), await openPostgresStore({ schema })];
    try {
      const docs = a.collection<{ by: string }>('flows');
      let dropped!: () => void;
      const afterDrop = new Promise<void>((r) => (dropped = r));
      const work = async () => {
        await docs.put('before', { by: 'a' });
        await afterDrop;
        await docs.put('after', { by: 'a' });
        return 'finished';
      };
      const first = kind === 'lock' ? a.lock('person:1', work) : a.exclusive('sweep', work);
      const outcome = first.then(() => 'resolved', (err: unknown) => err);
      await sleep(200);
      await dropLockSession(schema, kind, kind === 'lock' ? 'person:1' : 'sweep');
      await sleep(100);
      const second = kind === 'lock' ? b.lock('person:1', async () => 'b ran') : b.exclusive('sweep', async () => 'b ran');
      expect(await second).toBe('b ran');
      dropped();
      const err = await outcome;
      expect(err).toBeInstanceOf(StoreWriteError);
      expect(String((err as Error).message)).toContain('was lost');
      expect(await b.collection('flows').get('before')).toEqual({ by: 'a' });
      expect(await b.collection('flows').get('after')).toBeUndefined();
      // The store goes on: the same key can be taken again.
      expect(await a.lock('person:1', async () => 'again')).toBe('again');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
