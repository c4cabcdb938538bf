import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keysFrom, parseMasterKey, type Keys } from '../../../src/lib/crypto-keys.js';
import { verifyKeysAgainst } from '../../../src/lib/key-check.js';
import { runRekey } from '../../../src/rekey/run-rekey.js';
import { newClientSecret, newSharedSecret, sealCredentials, verifyClientSecret } from '../../../src/registry/credentials.js';
import { holdInstanceLock } from '../../../src/store/postgres/instance-lock.js';
import { tablesIn } from '../../../src/store/postgres/tables.js';
import { freshSchema, openPostgresStore, postgresUrl, rawQuery } from '../../helpers/postgres.js';

const [OLD_HEX, NEW_HEX] = ['12'.repeat(32), '34'.repeat(32)];
const [oldKeys, newKeys] = [keysFrom(parseMasterKey(OLD_HEX)), keysFrom(parseMasterKey(NEW_HEX))];
const urlFor = (schema: string) => `${postgresUrl()}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
const env = (schema: string) => ({
  DATA_DIR: mkdtempSync(join(tmpdir(), 'registrar-rekey-pg-')),
  DATABASE_URL: urlFor(schema),
  REGISTRAR_SECRET_KEY: OLD_HEX,
  REGISTRAR_NEW_SECRET_KEY: NEW_HEX,
});
const rekey = (schema: string) => runRekey({ env: env(schema), argv: [], say: () => {} });
const opens = (keys: Keys, sealed: string) => {
  try {
    keys.decrypt(sealed);
    return true;
  } catch {
    return false;
  }
};

/** A store as bot instances leave it with the old key: an installation and an app with both secrets. */
async function filledSchema() {
  const schema = freshSchema();
  const store = await openPostgresStore({ schema });
  await verifyKeysAgainst(store, oldKeys, 'REGISTRAR_SECRET_KEY');
  const clientSecret = newClientSecret();
  const sharedSecret = newSharedSecret();
  await store.collection('installations').put('acct', { accountId: 'acct', botId: 'b', tokenSealed: oldKeys.encrypt('bot-token') });
  await store.collection('apps').put('cid', { accountId: 'acct', ownerId: 'p', appName: 'Expense Sync', ...sealCredentials(oldKeys, { clientSecret, sharedSecret }) });
  return { schema, store, clientSecret, sharedSecret };
}

describe('npm run rekey on PostgreSQL', () => {
  it('is refused while an instance runs; then re-keys every document in one transaction', async () => {
    const { schema, store, clientSecret, sharedSecret } = await filledSchema();
    await expect(rekey(schema)).rejects.toMatchObject({ code: 'STORE_IN_USE', message: expect.stringContaining('stop every instance first') });
    expect(await store.collection('installations').get('acct')).toMatchObject({ tokenSealed: expect.any(String) });
    await store.close();

    await expect(rekey(schema)).resolves.toMatchObject({ status: 'rekeyed', resealed: 2, retiredHashKeys: 1 });

    const bodies = (await rawQuery<{ body: string }>(`SELECT body FROM "${schema}".registrar_documents`)).map((r) => r.body).join('\n');
    const sealed = [...bodies.matchAll(/v1\.[A-Za-z0-9_-]{38,}/g)].map((m) => m[0]);
    expect(sealed.length).toBe(4); // key check, retired hash key, bot token, shared secret
    expect(sealed.filter((s) => opens(oldKeys, s))).toEqual([]);
    expect(bodies).not.toContain(clientSecret);
    expect(bodies).not.toContain(sharedSecret);

    const again = await openPostgresStore({ schema });
    await expect(verifyKeysAgainst(again, oldKeys, 'REGISTRAR_SECRET_KEY')).rejects.toThrow(/re-keyed at/);
    const keys = await verifyKeysAgainst(again, newKeys, 'REGISTRAR_SECRET_KEY');
    const app = (await again.collection<{ clientSecretHash: string; sharedSecretSealed: string }>('apps').get('cid'))!;
    expect(verifyClientSecret(keys, clientSecret, app.clientSecretHash)).toBe(true);
    expect(keys.decrypt(app.sharedSecretSealed)).toBe(sharedSecret);
    expect(keys.decrypt((await again.collection<{ tokenSealed: string }>('installations').get('acct'))!.tokenSealed)).toBe('bot-token');
    await again.close();
    await expect(rekey(schema)).resolves.toMatchObject({ status: 'already' });
  });

  it('keeps instances from starting while a re-key holds the store', async () => {
    const schema = freshSchema();
    await (await openPostgresStore({ schema })).close();
    const rekeying = await openPostgresStore({ schema, instanceLock: 'exclusive' });
    await expect(openPostgresStore({ schema })).rejects.toMatchObject({ code: 'STORE_IN_USE', message: expect.stringContaining('is being re-keyed') });
    await rekeying.close();
    await (await openPostgresStore({ schema })).close();
  });

  it('refuses a rewrite that would change index rows, and writes none of it', async () => {
    const { store } = await filledSchema();
    await expect(
      store.rewriteAll!((name, _id, doc) => (name === 'apps' ? { ...doc, ownerId: 'someone-else' } : name === 'installations' ? { ...doc, note: 'x' } : undefined)),
    ).rejects.toMatchObject({ code: 'STORE_REWRITE_INDEXED' });
    expect(await store.collection('installations').get('acct')).not.toHaveProperty('note');
    expect(await store.collection('apps').find('owner', 'acct:p')).toHaveLength(1);
    await store.close();
  });

  it('an instance whose lock connection is lost takes its shared lock again', async () => {
    const schema = freshSchema();
    await (await openPostgresStore({ schema })).close();
    const t = tablesIn(schema);
    const errors: Error[] = [];
    const lock = await holdInstanceLock({ connectionString: postgresUrl() }, t, 'shared', { retryMs: 50, onError: (e) => errors.push(e) });
    const holders = () => rawQuery<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'registrar-instance' AND datname = current_database() AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0))`, [`${schema}|instance|`]);
    const [first] = await holders();
    await rawQuery('SELECT pg_terminate_backend($1)', [first!.pid]);
    const until = Date.now() + 5_000;
    let now = await holders();
    while ((now.length === 0 || now[0]!.pid === first!.pid) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      now = await holders();
    }
    expect(now).toHaveLength(1);
    expect(now[0]!.pid).not.toBe(first!.pid);
    expect(errors.some((e) => e.message.includes('taking it again'))).toBe(true);
    await lock.release();
    expect(await holders()).toEqual([]);
  });
});
