import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLowdbStore } from '../../src/store/lowdb-store.js';
import { startChild, type Child } from '../helpers/child-process.js';
import { failingDisk } from '../helpers/failing-disk.js';

const CHILD = join(import.meta.dirname, '..', 'helpers', 'lowdb-child.ts');
const freshDir = () => mkdtempSync(join(tmpdir(), 'registrar-compact-'));
const pad = 'x'.repeat(100);
const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`never: ${what}`);
};

/** Writes `count` documents d0.. in batches of 50. */
async function fill(store: Awaited<ReturnType<typeof createLowdbStore>>, from: number, count: number) {
  const docs = store.collection<{ n: number; pad: string }>('docs');
  for (let i = from; i < from + count; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => docs.put(`d${i + j}`, { n: i + j, pad })));
}

const ns = async (store: Awaited<ReturnType<typeof createLowdbStore>>) =>
  (await store.collection<{ n: number }>('docs').list()).map((d) => d.n).sort((a, b) => a - b);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('compaction', () => {
  it('writes a compact snapshot once the journal outgrows its bound, and empties the journal', async () => {
    const dir = freshDir();
    const store = await createLowdbStore(dir, { compactAfterBytes: 8 * 1024 });
    await fill(store, 0, 300);
    await store.close();
    const snapshot = readFileSync(join(dir, 'registrar.json'), 'utf8');
    expect(snapshot).not.toContain('\n'); // never pretty-printed
    expect(Object.keys((JSON.parse(snapshot) as { docs: object }).docs).length).toBeGreaterThan(100);
    expect(statSync(join(dir, 'registrar.journal')).size).toBeLessThan(statSync(join(dir, 'registrar.json')).size);
    expect(existsSync(join(dir, 'registrar.journal.old'))).toBe(false);
    const again = await createLowdbStore(dir);
    expect(await ns(again)).toEqual(range(300));
    await again.close();
  });

  it('lets writes go on while a snapshot is being written', async () => {
    const dir = freshDir();
    const disk = failingDisk();
    const store = await createLowdbStore(dir, { disk: disk.wrap, compactAfterBytes: 8 * 1024 });
    await fill(store, 0, 50); // the first line brings the first (empty) snapshot
    const release = disk.hold('replace');
    await fill(store, 50, 250); // passes the bound: a snapshot starts, and waits on the disk
    await until(() => existsSync(join(dir, 'registrar.journal.old')), 'the journal moved aside');
    const started = Date.now();
    await fill(store, 300, 100);
    expect(Date.now() - started).toBeLessThan(5000);
    release();
    await store.close();
    const again = await createLowdbStore(dir);
    expect(await ns(again)).toEqual(range(400));
    await again.close();
  });

  it.each([
    ['the snapshot cannot be written', 'replace'],
    ['the old journal cannot be removed', 'remove'],
    ['the journal cannot be moved aside', 'rename'],
  ] as const)('loses nothing when %s, and compacts later once the disk lets it', async (_case, step) => {
    const dir = freshDir();
    const disk = failingDisk();
    const store = await createLowdbStore(dir, { disk: disk.wrap, compactAfterBytes: 8 * 1024 });
    await fill(store, 0, 50);
    disk.fail(step, { code: 'EIO' });
    await fill(store, 50, 250);
    await new Promise((r) => setTimeout(r, 50));
    disk.heal();
    await fill(store, 300, 300);
    await store.close();
    expect(existsSync(join(dir, 'registrar.journal.old'))).toBe(false);
    const again = await createLowdbStore(dir);
    expect(await ns(again)).toEqual(range(600));
    await again.close();
  });

  it('replays a journal left beside a snapshot written from it (a crash before it was removed)', async () => {
    const dir = freshDir();
    const disk = failingDisk();
    const store = await createLowdbStore(dir, { disk: disk.wrap, compactAfterBytes: 8 * 1024 });
    await fill(store, 0, 50);
    disk.fail('remove', { code: 'EIO' });
    await fill(store, 50, 250);
    await store.collection('docs').delete('d7');
    await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(dir, 'registrar.journal.old'))).toBe(true); // as a crash would leave it
    await store.close();
    const again = await createLowdbStore(dir);
    expect(await ns(again)).toEqual(range(300).filter((n) => n !== 7));
    expect(existsSync(join(dir, 'registrar.journal.old'))).toBe(false); // finished at start-up
    await again.close();
  });
});

describe('compaction under kill -9', () => {
  let child: Child | undefined;
  afterEach(async () => {
    await child?.kill();
    child = undefined;
  });

  /** Opens the store the child left and checks every write it acknowledged. */
  /** Restarts on `dir` in a process of its own, as the bot would, and checks what it finds. */
  async function checkAcked(dir: string, output: string, label: string) {
    const acked = Math.max(0, ...[...output.matchAll(/acked (\d+)/g)].map((m) => Number(m[1])));
    expect(acked, `${label}: the child acknowledged writes`).toBeGreaterThan(0);
    const ids = [1, Math.floor(acked / 2), acked - 30, acked - 4, acked].filter((i) => i >= 1);
    // This run's first number: a batch the previous run had not acknowledged may have landed in one
    // file and not the other (each change is atomic, a batch across files is not), so earlier
    // numbers can have gaps; this run's acknowledged ones cannot.
    const from = Number(/from (\d+)/.exec(output)?.[1] ?? 1);
    const reader = startChild({ DATA_DIR: dir, LOWDB_CHILD: 'dump', DUMP_IDS: ids.join(','), DUMP_RANGE: `${from}..${acked}` }, CHILD);
    await reader.waitFor(/dump \{.*\}\n/, 30_000);
    await reader.kill();
    const found = JSON.parse(/dump (\{.*\})\n/.exec(reader.output())![1]!) as { counter: { n: number }; docs: Record<string, unknown>; seen: Record<string, unknown>; inRange: number };
    expect(found.counter.n, label).toBeGreaterThanOrEqual(acked);
    // At most one batch past the last acknowledged one can have landed: it deletes up to d(acked-5).
    for (const i of ids) {
      expect(found.seen[i], `${label}: e${i}`).toEqual({ at: i });
      if (i > acked - 5) expect(found.docs[i], `${label}: d${i}`).toMatchObject({ n: i });
      else expect(found.docs[i], `${label}: d${i} was deleted`).toBeNull();
    }
    expect(found.inRange, `${label}: events ${from}..${acked}`).toBe(acked - from + 1);
    // Start-up finished the interrupted compaction and removed what the crash left.
    const left = readdirSync(dir).filter((f) => f.endsWith('.old') || f.endsWith('.tmp'));
    expect(left, label).toEqual([]);
  }

  it.each(['rename:after', 'replace:before', 'replace:mid', 'replace:after', 'remove:before'])(
    'loses no acknowledged write when killed during a compaction at %s',
    { timeout: 60_000 },
    async (at) => {
      const dir = freshDir();
      child = startChild({ DATA_DIR: dir, LOWDB_CHILD: 'write', COMPACT_AFTER: '16384', CRASH_AT: at }, CHILD);
      await child.waitFor(`crashing at ${at}`, 30_000);
      await child.kill(); // already dead: waits for its exit
      await checkAcked(dir, child.output(), at);
    },
  );

  it('loses no acknowledged write when killed at random moments, again and again', { timeout: 120_000 }, async () => {
    const dir = freshDir();
    for (let round = 0; round < 8; round++) {
      child = startChild({ DATA_DIR: dir, LOWDB_CHILD: 'write', COMPACT_AFTER: '8192' }, CHILD);
      await child.waitFor(/acked \d+/);
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 400));
      await child.kill('SIGKILL');
      await checkAcked(dir, child.output(), `round ${round}`);
    }
  });
});
