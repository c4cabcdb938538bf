import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLowdbStore } from '../../src/store/lowdb-store.js';
import { failingDisk } from '../helpers/failing-disk.js';

const freshDir = () => mkdtempSync(join(tmpdir(), 'registrar-store-'));
const bytes = (path: string) => (existsSync(path) ? readFileSync(path) : Buffer.alloc(0));

describe('lowdb store with a failing disk', () => {
  it('leaves the journal byte for byte and memory as they were when an append fails half-way, and writes again once the disk is back', async () => {
    const dir = freshDir();
    const disk = failingDisk();
    const store = await createLowdbStore(dir, { disk: disk.wrap });
    const c = store.collection<{ v: string }>('c');
    await c.put('kept', { v: 'before' });
    const journal = join(dir, 'registrar.journal');
    const before = bytes(journal);
    disk.fail('writeAt', { code: 'ENOSPC', partial: true });
    await expect(c.put('new', { v: 'lost' })).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    await expect(c.update('kept', () => ({ v: 'changed' }))).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    await expect(c.delete('kept')).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    expect(bytes(journal).equals(before)).toBe(true);
    expect(await c.get('new')).toBeUndefined();
    expect(await c.get('kept')).toEqual({ v: 'before' });
    disk.heal();
    await c.put('later', { v: 'ok' });
    await store.close();
    const reopened = await createLowdbStore(dir);
    expect(await reopened.collection('c').list()).toEqual([{ v: 'before' }, { v: 'ok' }]);
    await reopened.close();
  });

  it('cuts off a failed line before the next append when cutting it at once failed too', async () => {
    const dir = freshDir();
    const disk = failingDisk();
    const store = await createLowdbStore(dir, { disk: disk.wrap });
    const c = store.collection<{ v: string }>('c');
    await c.put('kept', { v: 'before' });
    disk.fail('writeAt', { code: 'EIO', partial: true, times: 1 });
    disk.fail('truncate', { code: 'EIO', times: 1 });
    await expect(c.put('new', { v: 'lost' })).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    expect(readFileSync(join(dir, 'registrar.journal'), 'utf8')).toContain('"new"'); // the half line is still there
    await c.put('later', { v: 'ok' });
    expect(readFileSync(join(dir, 'registrar.journal'), 'utf8')).not.toContain('"new"');
    await store.close();
    const reopened = await createLowdbStore(dir);
    expect((await reopened.collection<{ v: string }>('c').list()).map((d) => d.v).sort()).toEqual(['before', 'ok']);
    await reopened.close();
  });

  it('cuts off a failed line at close when cutting it at once failed and nothing was written after', async () => {
    const dir = freshDir();
    const disk = failingDisk();
    const store = await createLowdbStore(dir, { disk: disk.wrap });
    const c = store.collection<{ v: string }>('c');
    await c.put('kept', { v: 'before' });
    disk.fail('writeAt', { code: 'EIO', partial: 'whole', times: 1 }); // the line is written, its fsync fails
    disk.fail('truncate', { code: 'EIO', times: 1 });
    await expect(c.put('ghost', { v: 'reported as not saved' })).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    expect(readFileSync(join(dir, 'registrar.journal'), 'utf8')).toContain('"ghost"');
    await store.close();
    expect(readFileSync(join(dir, 'registrar.journal'), 'utf8')).not.toContain('"ghost"');
    const reopened = await createLowdbStore(dir);
    expect(await reopened.collection('c').get('ghost')).toBeUndefined();
    await reopened.close();
  });

  it('fails every change of a batch together, and plans the next batch afresh', async () => {
    const dir = freshDir();
    const disk = failingDisk();
    const store = await createLowdbStore(dir, { disk: disk.wrap });
    const counter = store.collection<{ n: number }>('counters');
    await counter.put('c', { n: 0 });
    disk.fail('writeAt', { code: 'EIO', times: 1 });
    const bump = () => counter.update('c', (cur) => ({ n: cur!.n + 1 }));
    const first = await Promise.allSettled([bump(), bump(), bump()]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await counter.get('c')).toEqual({ n: 0 });
    await Promise.all([bump(), bump()]);
    expect(await counter.get('c')).toEqual({ n: 2 });
    await store.close();
  });
});

describe('lowdb store files that cannot be used', () => {
  it.each([
    ['empty', 'registrar.json', ''],
    ['truncated', 'registrar.json', '{"apps": {"a": {"clientId": '],
    ['not an object', 'registrar.json', '[1, 2]'],
    ['a malformed collection', 'registrar.json', '{"apps": 5}'],
    ['a null document', 'registrar.json', '{"installations": {"a1": null}}'],
    ['a document that is a number', 'registrar.json', '{"installations": {"a2": 5}}'],
    ['a document that is text', 'registrar.json', '{"apps": {"c1": "text"}}'],
    ['a document that is an array', 'registrar.json', '{"meta": {"key-check": []}}'],
    ['empty', 'handled-events.json', ''],
    ['truncated', 'handled-events.json', '{"seen-submits": {"e1": {"at'],
  ])('stops with a message naming the file when it is %s (%s), and leaves the file as it was', async (_kind, name, text) => {
    const dir = freshDir();
    const path = join(dir, name);
    writeFileSync(path, text);
    await expect(createLowdbStore(dir)).rejects.toThrow(path);
    expect(readFileSync(path, 'utf8')).toBe(text);
    // The failed start let DATA_DIR go: trying again meets the same file, not a lock.
    await expect(createLowdbStore(dir)).rejects.toThrow(path);
  });
});

describe('lowdb store on disk', () => {
  it('survives a reopen and keeps its files private', async () => {
    const dir = freshDir();
    const one = await createLowdbStore(dir);
    await one.collection<{ v: string }>('c').put('id', { v: 'kept' });
    await one.collection<{ at: number }>('seen-submits').put('e1', { at: 1 });
    await one.close();
    const two = await createLowdbStore(dir);
    expect(await two.collection<{ v: string }>('c').get('id')).toEqual({ v: 'kept' });
    for (const f of ['registrar.json', 'registrar.journal', 'handled-events.json', 'handled-events.journal']) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    await two.close();
  });

  it('keeps handled event ids in files of their own', async () => {
    const dir = freshDir();
    const store = await createLowdbStore(dir);
    await store.collection<{ at: number }>('seen-notifications').put('event-1', { at: 1 });
    await store.collection<{ v: number }>('apps').put('app-1', { v: 1 });
    await store.close();
    expect(readFileSync(join(dir, 'handled-events.journal'), 'utf8')).toContain('event-1');
    expect(readFileSync(join(dir, 'registrar.journal'), 'utf8')).not.toContain('event-1');
    expect(readFileSync(join(dir, 'registrar.journal'), 'utf8')).toContain('app-1');
  });

  it('writes nothing for an update or a put that changes nothing (a duplicate event)', async () => {
    const dir = freshDir();
    const store = await createLowdbStore(dir);
    const seen = store.collection<{ at: number }>('seen-notifications');
    await seen.update('event-1', (cur) => cur ?? { at: 5 });
    const journal = join(dir, 'handled-events.journal');
    const size = statSync(journal).size;
    await seen.update('event-1', (cur) => cur ?? { at: 6 });
    await seen.put('event-1', { at: 5 });
    expect(statSync(journal).size).toBe(size);
    await store.close();
  });

  it('appends one short line per change, whatever the number of documents already stored', async () => {
    const dir = freshDir();
    const store = await createLowdbStore(dir);
    const apps = store.collection<{ n: number; pad: string }>('apps');
    for (let i = 0; i < 2000; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => apps.put(`a${i + j}`, { n: i + j, pad: 'x'.repeat(200) })));
    const journal = join(dir, 'registrar.journal');
    const size = statSync(journal).size;
    await apps.put('one-more', { n: -1, pad: '' });
    expect(statSync(journal).size - size).toBeLessThan(100);
    await store.close();
  });
});
