import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshSchema, openPostgresStore, postgresUrl, waitForLockWait } from '../../helpers/postgres.js';

type Request = { id: string; accountId: string; clientId: string; status: string; requestedAt: number; raisedAt: number; cardId: string | null; decision: null };


describe('PostgreSQL updates', () => {
  it('are made again when PostgreSQL aborts one as a deadlock, and land once', async () => {
    const schema = freshSchema();
    const store = await openPostgresStore({ schema });
    const requests = store.collection<Request>('approvals');
    await requests.put('r1', { id: 'r1', accountId: 'acc', clientId: 'c1', status: 'open', requestedAt: 1, raisedAt: 1, cardId: null, decision: null });

    // Another session holds r1's "open" index row, then asks for the document while the update
    // holds the document and waits for that index row: a deadlock PostgreSQL breaks by aborting the
    // update (it waited longest), which must run again rather than fail.
    const other = new pg.Client({ connectionString: postgresUrl() });
    await other.connect();
    await other.query('BEGIN');
    await other.query(`SELECT 1 FROM "${schema}".registrar_index_keys WHERE collection = 'approvals' AND index_name = 'open' AND id = 'r1' FOR UPDATE`);
    const calls: string[] = [];
    const update = requests.update('r1', (cur) => {
      calls.push(cur!.status);
      return { ...cur!, status: 'expired' };
    });
    await waitForLockWait(schema);
    await new Promise((r) => setTimeout(r, 200));
    await other.query(`SELECT 1 FROM "${schema}".registrar_documents WHERE collection = 'approvals' AND id = 'r1' FOR UPDATE`);
    await other.query('COMMIT');
    await other.end();

    expect(await update).toMatchObject({ before: { status: 'open' }, after: { status: 'expired' } });
    expect(calls).toEqual(['open', 'open']);
    expect(await requests.get('r1')).toMatchObject({ status: 'expired' });
    expect(await requests.find('open', 'acc')).toEqual([]);
    await store.close();
  });
});
