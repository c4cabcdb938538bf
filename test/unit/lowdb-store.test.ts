import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import type { Adapter } from 'lowdb';
import { createLowdbStore } from '../../src/store/lowdb-store.js';
import type { Data } from '../../src/store/store.js';

/** A lowdb file adapter whose writes fail while `failing` is set, as on a full disk. */
function flakyDisk() {
  const state = { failing: false, writes: 0 };
  const wrap = (file: Adapter<Data>): Adapter<Data> => ({
    read: () => file.read(),
    async write(data) {
      if (state.failing) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      state.writes++;
      await file.write(data);
    },
  });
  return { state, wrap };
}

describe('lowdb store with a failing disk', () => {
  it('changes neither memory nor disk when a write fails, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registrar-store-'));
    const disk = flakyDisk();
    const store = await createLowdbStore(dir, { adapter: disk.wrap });
    const c = store.collection<{ v: string }>('c');
    await c.put('kept', { v: 'before' });
    disk.state.failing = true;
    await expect(c.put('new', { v: 'lost' })).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    await expect(c.update('kept', () => ({ v: 'changed' }))).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    await expect(c.delete('kept')).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    expect(await c.get('new')).toBeUndefined();
    expect(await c.get('kept')).toEqual({ v: 'before' });
    disk.state.failing = false;
    const reopened = await createLowdbStore(dir);
    expect(await reopened.collection('c').list()).toEqual([{ v: 'before' }]);
    // The next change after the disk recovers carries no trace of the failed ones.
    await c.put('later', { v: 'ok' });
    expect(JSON.parse(readFileSync(join(dir, 'registrar.json'), 'utf8'))).toEqual({ c: { kept: { v: 'before' }, later: { v: 'ok' } } });
  });
});

describe('lowdb store files that cannot be used', () => {
  it.each([
    ['empty', ''],
    ['truncated', '{"apps": {"a": {"clientId": '],
    ['not an object', '[1, 2]'],
    ['a malformed collection', '{"apps": 5}'],
  ])('stops with a message naming the file when it is %s, and leaves the file as it was', async (_kind, text) => {
    const dir = mkdtempSync(join(tmpdir(), 'registrar-store-'));
    const path = join(dir, 'registrar.json');
    writeFileSync(path, text);
    await expect(createLowdbStore(dir)).rejects.toThrow(path);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});

describe('lowdb store on disk', () => {
  it('survives a reopen and keeps its file private', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registrar-store-'));
    const one = await createLowdbStore(dir);
    await one.collection<{ v: string }>('c').put('id', { v: 'kept' });
    const two = await createLowdbStore(dir);
    expect(await two.collection<{ v: string }>('c').get('id')).toEqual({ v: 'kept' });
    expect(statSync(join(dir, 'registrar.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, 'registrar.json'), 'utf8'))).toEqual({ c: { id: { v: 'kept' } } });
  });
});
