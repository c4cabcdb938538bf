import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLowdbStore } from '../../src/store/lowdb-store.js';
import { startChild, type Child } from '../helpers/child-process.js';

const CHILD = join(import.meta.dirname, '..', 'helpers', 'lowdb-child.ts');
const freshDir = () => mkdtempSync(join(tmpdir(), 'registrar-lock-'));
const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'registrar.lock'), 'utf8')) as { pid: number; run: string; host: string };

let children: Child[] = [];
afterEach(async () => {
  await Promise.all(children.map((c) => c.kill()));
  children = [];
});

async function holder(dir: string) {
  const child = startChild({ DATA_DIR: dir, LOWDB_CHILD: 'hold' }, CHILD);
  children.push(child);
  await child.waitFor('store open');
  return child;
}

const RACER = join(import.meta.dirname, '..', 'helpers', 'lock-race-child.ts');
const deadPid = () => {
  // A pid that was just used and is gone: a killed holder's.
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
};

describe('the DATA_DIR lock', () => {
  it('is taken by one of four processes starting at the same moment on a stale lock, round after round', { timeout: 120_000 }, async () => {
    for (let round = 0; round < 4; round++) {
      const dir = freshDir();
      writeFileSync(join(dir, 'registrar.lock'), `${JSON.stringify({ pid: deadPid(), run: 'gone', host: hostname(), startedAt: 'then' })}\n`);
      const at = Date.now() + 3000;
      const racers = Array.from({ length: 4 }, () => startChild({ DATA_DIR: dir, RACE_AT: String(at), HOLD_MS: '1500' }, RACER));
      children.push(...racers);
      await Promise.all(racers.map((r) => r.waitFor('done', 30_000)));
      const windows = racers.flatMap((r) => [...r.output().matchAll(/held (\d+) (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const));
      const refused = racers.filter((r) => r.output().includes('refused DATA_DIR_LOCKED')).length;
      expect(windows.length).toBeGreaterThanOrEqual(1);
      expect(windows.length + refused).toBe(4);
      const sorted = [...windows].sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]![0]).toBeGreaterThanOrEqual(sorted[i - 1]![1]);
    }
  });

  it('takes over a lock file left empty (a kill between creating and writing it) once it is 5 s old', async () => {
    const dir = freshDir();
    const path = join(dir, 'registrar.lock');
    writeFileSync(path, '');
    const old = new Date(Date.now() - 6000);
    utimesSync(path, old, old);
    const warnings: unknown[] = [];
    const store = await createLowdbStore(dir, { warn: (message, fields) => warnings.push({ message, reason: fields?.reason }) });
    expect(lockOf(dir).pid).toBe(process.pid);
    expect(warnings).toContainEqual({ message: 'took over the lock of a process that is gone', reason: expect.stringContaining('unreadable (empty or cut short)') });
    await store.close();
  });

  it('refuses a second process on the same DATA_DIR, naming DATA_DIR and the pid that has it', { timeout: 30_000 }, async () => {
    const dir = freshDir();
    const child = await holder(dir);
    await expect(createLowdbStore(dir)).rejects.toThrow(`DATA_DIR ${dir} is in use by another Registrar process (pid ${child.process.pid}`);
    expect(lockOf(dir).pid).toBe(child.process.pid);
  });

  it('takes over the lock of a process that was killed', { timeout: 30_000 }, async () => {
    const dir = freshDir();
    const child = await holder(dir);
    await child.kill('SIGKILL');
    expect(lockOf(dir).pid).toBe(child.process.pid); // left behind
    const store = await createLowdbStore(dir);
    expect(lockOf(dir).pid).toBe(process.pid);
    await store.collection('c').put('x', { v: 1 });
    await store.close();
    expect(existsSync(join(dir, 'registrar.lock'))).toBe(false);
  });

  it('takes over a lock with our own pid from an earlier run (a restarted container is pid 1 again)', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'registrar.lock'), JSON.stringify({ pid: process.pid, run: `${process.pid}-deadbeef`, host: hostname(), startedAt: '2020-01-01T00:00:00.000Z' }));
    const store = await createLowdbStore(dir);
    expect(lockOf(dir).run).not.toBe(`${process.pid}-deadbeef`);
    await store.close();
  });

  it('takes over a lock whose pid now belongs to a process started later (the pid was reused)', { timeout: 30_000 }, async () => {
    const dir = freshDir();
    const other = await holder(freshDir()); // a live process, but not the one that wrote this lock
    writeFileSync(join(dir, 'registrar.lock'), JSON.stringify({ pid: other.process.pid, run: `${other.process.pid}-0ld0ld00`, host: hostname(), procStart: '1', startedAt: '2020-01-01T00:00:00.000Z' }));
    const store = await createLowdbStore(dir);
    expect(lockOf(dir).pid).toBe(process.pid);
    await store.close();
  });

  it('refuses a lock from another host while its heartbeat is fresh, and takes it over once it stopped', async () => {
    const dir = freshDir();
    const lock = join(dir, 'registrar.lock');
    writeFileSync(lock, JSON.stringify({ pid: 7, run: '7-abcdef01', host: 'elsewhere.example', startedAt: '2020-01-01T00:00:00.000Z' }));
    await expect(createLowdbStore(dir)).rejects.toThrow(/pid 7 on host elsewhere\.example/);
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    const store = await createLowdbStore(dir);
    expect(lockOf(dir).host).toBe(hostname());
    await store.close();
  });

  it('keeps the lock fresh while the store is open, so another host can tell it is alive', async () => {
    const dir = freshDir();
    const store = await createLowdbStore(dir, { lock: { heartbeatMs: 20, staleAfterMs: 60 } });
    const lock = join(dir, 'registrar.lock');
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    await new Promise((r) => setTimeout(r, 100));
    const { mtimeMs } = await import('node:fs').then((fs) => fs.statSync(lock));
    expect(Date.now() - mtimeMs).toBeLessThan(60_000);
    await store.close();
  });

  it('closes the store this process already had open on the DATA_DIR before opening it again', async () => {
    const dir = freshDir();
    const first = await createLowdbStore(dir);
    await first.collection('c').put('a', { v: 1 });
    const second = await createLowdbStore(dir);
    await expect(first.collection('c').put('b', { v: 2 })).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    expect(await second.collection('c').get('a')).toEqual({ v: 1 });
    await second.close();
  });
});
