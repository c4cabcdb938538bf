import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../../src/store/postgres-store.js';
import { StoreWriteError } from '../../../src/store/store.js';
import { freshSchema, openPostgresStore, postgresUrl, waitForLockWait } from '../../helpers/postgres.js';
import { tcpProxy } from '../../helpers/tcp-proxy.js';

type Request = { id: string; accountId: string; clientId: string; status: string; requestedAt: number; raisedAt: number; cardId: string | null; decision: null; effects?: unknown[] };
const request = (id: string): Request => ({ id, accountId: 'acc', clientId: 'c1', status: 'open', requestedAt: 10, raisedAt: 10, cardId: 'card', decision: null });

/** A second store on `schema` whose connections go through a proxy the test can cut. */
async function storeBehindProxy(schema: string) {
  const url = new URL(postgresUrl());
  const proxy = await tcpProxy(Number(url.port || 5432), url.hostname);
  url.port = String(proxy.port);
  const store = await createPostgresStore(url.toString(), { schema, poolSize: 2, lockPoolSize: 2, onError: () => {} });
  return { store, proxy };
}

describe('PostgreSQL failures', () => {
  it('turn every write into a StoreWriteError with nothing changed once the database is out of reach', async () => {
    const schema = freshSchema();
    const direct = await openPostgresStore({ schema });
    const { store, proxy } = await storeBehindProxy(schema);
    const requests = store.collection<Request>('approvals');
    await requests.put('r1', request('r1'));
    await store.collection<{ at: number }>('seen-submits').put('e1', { at: 1 });

    proxy.cut();
    const writes = await Promise.allSettled([
      requests.update('r1', (cur) => cur && { ...cur, status: 'expired' }),
      requests.put('r2', request('r2')),
      requests.delete('r1'),
      store.collection<{ at: number }>('seen-submits').prune('at', 100),
      store.lock('person:1', async () => 'ran'),
    ]);
    expect(writes.map((w) => w.status === 'rejected' && w.reason instanceof StoreWriteError)).toEqual([true, true, true, true, true]);
    await expect(requests.get('r1')).rejects.toMatchObject({ code: 'STORE_READ_FAILED', status: 503 });

    const seen = direct.collection<Request>('approvals');
    expect(await seen.list()).toEqual([request('r1')]);
    expect((await seen.find('open', 'acc')).map((r) => r.id)).toEqual(['r1']);
    expect(await direct.collection('seen-submits').count()).toBe(1);
    await Promise.all([direct.close(), store.close()]);
  });

  it('leave nothing of an update whose connection drops inside its transaction', async () => {
    const schema = freshSchema();
    const direct = await openPostgresStore({ schema });
    const { store, proxy } = await storeBehindProxy(schema);
    await direct.collection('counters').put('c', { n: 1 });

    // Another session changes the document under a row lock, so the update's first write waits, then
    // finds the document changed and makes its change again in a transaction: that is where the
    // connection goes.
    const other = new pg.Client({ connectionString: postgresUrl() });
    await other.connect();
    await other.query('BEGIN');
    await other.query(`UPDATE "${schema}".registrar_documents SET body = $1 WHERE collection = 'counters' AND id = 'c'`, [JSON.stringify({ n: 2 })]);
    const seenBy: number[] = [];
    const update = store.collection<{ n: number }>('counters').update('c', (cur) => {
      seenBy.push(cur!.n);
      if (seenBy.length === 2) proxy.cut();
      return { n: cur!.n + 10 };
    });
    await waitForLockWait(schema);
    await other.query('COMMIT');
    await other.end();

    await expect(update).rejects.toBeInstanceOf(StoreWriteError);
    expect(seenBy).toEqual([1, 2]);
    expect(await direct.collection('counters').get('c')).toEqual({ n: 2 });
    await Promise.all([direct.close(), store.close()]);
  });

  it('keep ids and keys apart that PostgreSQL text cannot hold as they are', async () => {
    const store = await openPostgresStore();
    const things = store.collection<{ v: string }>('things');
    const ids = ['a\0b', 'a', '\uD800', '\uDBFF', '\uFFFD', '\u0001x', 'x'];
    for (const id of ids) await things.put(id, { v: id });
    for (const id of ids) expect(await things.get(id)).toEqual({ v: id });
    expect(await things.count()).toBe(ids.length);

    const requests = store.collection<Request>('approvals');
    await requests.put('r1', { ...request('r1'), clientId: 'c\0' });
    await requests.put('r2', { ...request('r2'), clientId: '\uDC00' });
    expect((await requests.find('client', 'c\0')).map((r) => r.id)).toEqual(['r1']);
    expect((await requests.find('client', '\uDC00')).map((r) => r.id)).toEqual(['r2']);
    expect(await requests.find('client', 'c')).toEqual([]);
    expect(await requests.find('client', '\uFFFD')).toEqual([]);
    await store.close();
  });
});

