import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keysFrom, type Keys } from '../../../src/lib/crypto-keys.js';
import { verifyKeysAgainst } from '../../../src/lib/key-check.js';
import { rekeyStore } from '../../../src/rekey/rekey-store.js';
import { newClientSecret, newSharedSecret, sealCredentials, verifyClientSecret } from '../../../src/registry/credentials.js';
import { createMemoryStore } from '../../../src/store/engine-store.js';
import { createLowdbStore, type Disk } from '../../../src/store/lowdb-store.js';
import type { Store } from '../../../src/store/store.js';

const [A, B, C] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3)];
const LOOKALIKE = `v1.${'x'.repeat(60)}`; // shaped like a sealed value, typed by a person

/** A store as the bot leaves it with key A: an installation, an app with both secrets, a nested sealed value. */
async function filled(store: Store, keys: Keys) {
  const clientSecret = newClientSecret();
  const sharedSecret = newSharedSecret();
  await verifyKeysAgainst(store, keys, 'key A');
  await store.collection('installations').put('acct', { accountId: 'acct', botId: 'b1', tokenSealed: keys.encrypt('bot-token-123') });
  await store.collection('apps').put('cid', { accountId: 'acct', ownerId: 'p', appName: 'Expense Sync', description: LOOKALIKE, ...sealCredentials(keys, { clientSecret, sharedSecret }) });
  await store.collection('things').put('t', { deep: [{ note: keys.encrypt('nested') }] });
  return { clientSecret, sharedSecret };
}

/** Every string of the store that looks sealed, by collection/id. */
async function sealedValues(store: Store): Promise<string[]> {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string' && /^v1\./.test(v) && v !== LOOKALIKE) out.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const name of ['installations', 'apps', 'things', 'meta']) (await store.collection(name).list()).forEach(walk);
  return out;
}

const opens = (keys: Keys, sealed: string) => {
  try {
    keys.decrypt(sealed);
    return true;
  } catch {
    return false;
  }
};

describe('rekeyStore', () => {
  it('seals every value again with the new key, so the old key opens nothing and the data reads the same', async () => {
    const store = createMemoryStore();
    const { clientSecret, sharedSecret } = await filled(store, keysFrom(A));
    const before = await sealedValues(store);
    expect(before).toHaveLength(4); // key check, bot token, shared secret, nested value

    const result = await rekeyStore({ store, from: A, to: B });

    expect(result).toMatchObject({ status: 'rekeyed', documents: 4, resealed: 3, unopened: 1, retiredHashKeys: 1 });
    const after = await sealedValues(store);
    expect(after).toHaveLength(5); // the same, and the old key's hash key
    expect(after.filter((s) => opens(keysFrom(A), s))).toEqual([]);
    expect(after.every((s) => opens(keysFrom(B), s))).toBe(true);
    const keys = await verifyKeysAgainst(store, keysFrom(B), 'key B');
    const app = (await store.collection<{ sharedSecretSealed: string; clientSecretHash: string; description: string }>('apps').get('cid'))!;
    expect(keys.decrypt(app.sharedSecretSealed)).toBe(sharedSecret);
    expect(app.description).toBe(LOOKALIKE);
    const inst = (await store.collection<{ tokenSealed: string }>('installations').get('acct'))!;
    expect(keys.decrypt(inst.tokenSealed)).toBe('bot-token-123');
    expect(keys.decrypt((await store.collection<{ deep: [{ note: string }] }>('things').get('t'))!.deep[0].note)).toBe('nested');
    // The client secret's hash cannot be made again: it is kept, and verifies through the old hash key.
    expect(verifyClientSecret(keys, clientSecret, app.clientSecretHash)).toBe(true);
    expect(verifyClientSecret(keys, newClientSecret(), app.clientSecretHash)).toBe(false);
    expect(verifyClientSecret(keysFrom(B), clientSecret, app.clientSecretHash)).toBe(false); // only through the kept key
    const fresh = newClientSecret();
    expect(verifyClientSecret(keys, fresh, keys.hash(fresh))).toBe(true);
  });

  it('stops a start with the old key, saying the store was re-keyed', async () => {
    const store = createMemoryStore();
    await filled(store, keysFrom(A));
    await rekeyStore({ store, from: A, to: B, now: () => new Date('2026-12-01T10:00:00Z') });
    await expect(verifyKeysAgainst(store, keysFrom(A), 'REGISTRAR_SECRET_KEY')).rejects.toThrow(/REGISTRAR_SECRET_KEY: is not the key .* re-keyed at 2026-12-01T10:00:00.000Z/);
  });

  it('finds nothing to do when run again, and keeps every earlier hash key over several re-keys', async () => {
    const store = createMemoryStore();
    const { clientSecret } = await filled(store, keysFrom(A));
    await rekeyStore({ store, from: A, to: B });
    expect(await rekeyStore({ store, from: A, to: B })).toMatchObject({ status: 'already', resealed: 0 });
    const keysB = await verifyKeysAgainst(store, keysFrom(B), 'key B');
    const secretB = newClientSecret();
    await store.collection('apps').put('cid2', { accountId: 'acct', ownerId: 'p', appName: 'Two', clientSecretHash: keysB.hash(secretB) });

    expect(await rekeyStore({ store, from: B, to: C })).toMatchObject({ status: 'rekeyed', retiredHashKeys: 2 });
    const keysC = await verifyKeysAgainst(store, keysFrom(C), 'key C');
    const hashOf = async (id: string) => (await store.collection<{ clientSecretHash: string }>('apps').get(id))!.clientSecretHash;
    expect(verifyClientSecret(keysC, clientSecret, await hashOf('cid'))).toBe(true);
    expect(verifyClientSecret(keysC, secretB, await hashOf('cid2'))).toBe(true);

    // Back to the first key: it is the current one again, not a retired one.
    expect(await rekeyStore({ store, from: C, to: A })).toMatchObject({ status: 'rekeyed', retiredHashKeys: 2 });
    const keysA = await verifyKeysAgainst(store, keysFrom(A), 'key A');
    expect(verifyClientSecret(keysA, clientSecret, await hashOf('cid'))).toBe(true);
    expect(verifyClientSecret(keysA, secretB, await hashOf('cid2'))).toBe(true);
  });

  it('refuses a current key that is not the store key, changing nothing', async () => {
    const store = createMemoryStore();
    await filled(store, keysFrom(A));
    const before = await sealedValues(store);
    await expect(rekeyStore({ store, from: C, to: B })).rejects.toThrow(/is not the key/);
    await expect(rekeyStore({ store, from: A, to: A })).rejects.toThrow(/already has/);
    expect(await sealedValues(store)).toEqual(before);
  });

  it('re-keys a store from before the key check (its bot token proves the key)', async () => {
    const store = createMemoryStore();
    await store.collection('installations').put('acct', { accountId: 'acct', botId: 'b1', tokenSealed: keysFrom(A).encrypt('tok-legacy') });
    await expect(rekeyStore({ store, from: C, to: B })).rejects.toThrow(/is not the key/);
    expect(await rekeyStore({ store, from: A, to: B })).toMatchObject({ status: 'rekeyed', resealed: 1 });
    const inst = (await store.collection<{ tokenSealed: string }>('installations').get('acct'))!;
    expect(keysFrom(B).decrypt(inst.tokenSealed)).toBe('tok-legacy');
  });

  it('on lowdb, a crash while committing leaves the store on the old key, and a rerun finishes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registrar-rekey-'));
    const first = await createLowdbStore(dir);
    const { sharedSecret } = await filled(first, keysFrom(A));
    await first.close();
    // The re-key's one line reaches the disk half written, and cannot be cut back: a crash there.
    const crashing = (disk: Disk): Disk => ({
      ...disk,
      async writeAt(path, position, text) {
        if (path.endsWith('registrar.journal') && text.includes('retiredHashKeys')) {
          await disk.writeAt(path, position, text.slice(0, text.length >> 1));
          throw Object.assign(new Error('EIO: injected'), { code: 'EIO' });
        }
        return disk.writeAt(path, position, text);
      },
      truncate: async () => {
        throw Object.assign(new Error('EIO: injected'), { code: 'EIO' });
      },
    });
    const crashed = await createLowdbStore(dir, { disk: crashing });
    await expect(rekeyStore({ store: crashed, from: A, to: B })).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    await crashed.close();

    const after = await createLowdbStore(dir);
    const old = await verifyKeysAgainst(after, keysFrom(A), 'key A'); // the torn line is cut off: all on A
    expect(old.decrypt((await after.collection<{ sharedSecretSealed: string }>('apps').get('cid'))!.sharedSecretSealed)).toBe(sharedSecret);
    expect(await rekeyStore({ store: after, from: A, to: B })).toMatchObject({ status: 'rekeyed', resealed: 3 });
    await after.close();
    const reopened = await createLowdbStore(dir);
    const keys = await verifyKeysAgainst(reopened, keysFrom(B), 'key B');
    expect(keys.decrypt((await reopened.collection<{ sharedSecretSealed: string }>('apps').get('cid'))!.sharedSecretSealed)).toBe(sharedSecret);
    expect((await sealedValues(reopened)).filter((s) => opens(keysFrom(A), s))).toEqual([]);
    await reopened.close();
    // Nor do the files keep an earlier version of anything: the journal was compacted away.
    const inFiles = readdirSync(dir).flatMap((name) => [...readFileSync(join(dir, name), 'utf8').matchAll(/v1\.[A-Za-z0-9_-]{38,}/g)].map((m) => m[0]));
    expect(inFiles.length).toBeGreaterThanOrEqual(4);
    expect(inFiles.filter((s) => opens(keysFrom(A), s))).toEqual([]);
    expect(readFileSync(join(dir, 'registrar.journal'), 'utf8')).toBe('');
  });
});
