import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLowdbStore } from '../../src/store/lowdb-store.js';
import { failingDisk } from '../helpers/failing-disk.js';
import { mountReadOnly } from '../helpers/read-only-dir.js';

describe('a DATA_DIR that turns read-only while the store is open', () => {
  it('fails each write with STORE_WRITE_FAILED, changes neither files nor memory, and writes again once it is writable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registrar-ro-'));
    const disk = failingDisk();
    const store = await createLowdbStore(dir, { disk: disk.wrap });
    const apps = store.collection<{ v: number }>('apps');
    const seen = store.collection<{ at: number }>('seen-notifications');
    await apps.put('a', { v: 1 });
    await seen.put('e1', { at: 1 });
    const journal = readFileSync(join(dir, 'registrar.journal'));
    const mounted = await mountReadOnly(dir);
    if (!mounted) disk.failAll('EROFS'); // no mounts on this machine: the same error, injected
    const undo = mounted ?? (async () => disk.heal());
    process.stdout.write(`read-only by ${mounted ? 'a read-only bind mount' : 'injected EROFS'}\n`);
    try {
      const failed = apps.put('b', { v: 2 });
      await expect(failed).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
      await expect(failed).rejects.toThrow(/EROFS|read-only/);
      await expect(apps.update('a', () => ({ v: 10 }))).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
      await expect(seen.put('e2', { at: 2 })).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
      expect(await apps.list()).toEqual([{ v: 1 }]);
      expect(await seen.get('e2')).toBeUndefined();
      expect(readFileSync(join(dir, 'registrar.journal')).equals(journal)).toBe(true);
    } finally {
      await undo();
    }
    await apps.put('c', { v: 3 });
    await seen.put('e3', { at: 3 });
    await store.close();
    const again = await createLowdbStore(dir);
    expect((await again.collection<{ v: number }>('apps').list()).map((a) => a.v).sort()).toEqual([1, 3]);
    expect((await again.collection<{ at: number }>('seen-notifications').list()).map((s) => s.at).sort()).toEqual([1, 3]);
    await again.close();
  });

  it('refuses to start on a DATA_DIR it cannot write, naming what it could not create', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registrar-ro-'));
    const undo = await mountReadOnly(dir);
    try {
      if (undo) await expect(createLowdbStore(dir)).rejects.toThrow(`cannot create ${join(dir, 'registrar.lock')} to lock DATA_DIR`);
      else {
        // No mounts on this machine, and chmod does not stop root: a DATA_DIR under a plain file cannot be made either.
        writeFileSync(join(dir, 'file'), '');
        await expect(createLowdbStore(join(dir, 'file', 'data'))).rejects.toThrow(join(dir, 'file', 'data'));
      }
    } finally {
      await undo?.();
    }
  });
});
