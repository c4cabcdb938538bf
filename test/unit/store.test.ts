import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLowdbStore } from '../../src/store/lowdb-store.js';
import { createMemoryStore, type Store } from '../../src/store/store.js';

const adapters: [string, () => Promise<Store>][] = [
  ['memory', async () => createMemoryStore()],
  ['lowdb', () => createLowdbStore(mkdtempSync(join(tmpdir(), 'registrar-store-')))],
];

describe.each(adapters)('%s store', (_name, make) => {
  it('puts, gets, lists and deletes JSON copies', async () => {
    const store = await make();
    const c = store.collection<{ n: number; tags: string[] }>('things');
    await c.put('a', { n: 1, tags: ['x'] });
    const got = await c.get('a');
    got!.tags.push('mutated');
    expect(await c.get('a')).toEqual({ n: 1, tags: ['x'] });
    expect(await c.list()).toHaveLength(1);
    expect(await c.delete('a')).toBe(true);
    expect(await c.delete('a')).toBe(false);
    expect(await c.get('a')).toBeUndefined();
  });

  it('removes exactly the documents a predicate selects', async () => {
    const store = await make();
    const c = store.collection<{ at: number }>('seen');
    await c.put('old', { at: 1 });
    await c.put('new', { at: 100 });
    expect(await c.removeWhere((r) => r.at < 50)).toBe(1);
    expect(await c.list()).toEqual([{ at: 100 }]);
    expect(await c.removeWhere(() => false)).toBe(0);
  });

  it('lets exactly one of two concurrent updates claim a key', async () => {
    const store = await make();
    const c = store.collection<{ by: string }>('claims');
    const results = await Promise.all(['x', 'y'].map((by) => c.update('k', (cur) => cur ?? { by })));
    expect(results.filter((r) => r.before === undefined)).toHaveLength(1);
    expect((await c.get('k'))?.by).toBe(results.find((r) => r.before === undefined)?.after?.by);
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
