import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startChild } from '../../helpers/child-process.js';
import { freshSchema, openPostgresStore, postgresUrl } from '../../helpers/postgres.js';

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
      expect(await store.exclusive('sweep', async () => 'ran')).toBe('ran');
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
});
