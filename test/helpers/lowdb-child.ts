/**
 * A process that opens the lowdb store on DATA_DIR, for tests of what happens across processes:
 * LOWDB_CHILD=hold opens it and waits; LOWDB_CHILD=dump prints what it finds (a restart) and exits; LOWDB_CHILD=write writes without end, printing `acked <n>`
 * once documents d1..dn, handled events e1..en and counter {n} are durable, and d(n-30) deleted.
 * COMPACT_AFTER makes snapshots frequent; CRASH_AT=<step>:<before|mid|after> (rename, replace or
 * remove) kills the process with SIGKILL at that step of a compaction.
 */
import { existsSync } from 'node:fs';
import type { Disk } from '../../src/store/lowdb-store.js';
import { createLowdbStore } from '../../src/store/lowdb-store.js';

const [crashStep, crashWhen] = (process.env.CRASH_AT ?? '').split(':');
const die = (where: string) => {
  process.stdout.write(`crashing at ${where}\n`);
  process.kill(process.pid, 'SIGKILL');
};

/** Kills the process at CRASH_AT, only in a compaction (a `.journal.old` exists), not the first snapshot. */
function crashing(disk: Disk): Disk {
  const compacting = (path: string) => existsSync(path.replace(/\.json$/, '.journal.old'));
  return {
    ...disk,
    async rename(from, to) {
      if (crashStep === 'rename' && crashWhen === 'before') die('rename:before');
      await disk.rename(from, to);
      if (crashStep === 'rename' && crashWhen === 'after') die('rename:after');
    },
    async replace(path, content) {
      if (crashStep !== 'replace' || !compacting(path)) return disk.replace(path, content);
      if (crashWhen === 'before') die('replace:before');
      if (crashWhen === 'mid') {
        return disk.replace(
          path,
          (async function* () {
            for await (const piece of content) {
              yield piece.slice(0, Math.ceil(piece.length / 2));
              await new Promise((r) => setTimeout(r, 20)); // the half piece reaches the temp file
              die('replace:mid');
            }
          })(),
        );
      }
      const written = await disk.replace(path, content);
      die('replace:after');
      return written;
    },
    async remove(path) {
      if (crashStep === 'remove' && crashWhen === 'before' && existsSync(path)) die('remove:before');
      await disk.remove(path);
    },
  };
}

const store = await createLowdbStore(process.env.DATA_DIR!, {
  ...(process.env.COMPACT_AFTER ? { compactAfterBytes: Number(process.env.COMPACT_AFTER) } : {}),
  ...(crashStep ? { disk: crashing } : {}),
  warn: (message) => process.stdout.write(`warn ${message}\n`),
});
process.stdout.write(`store open ${process.pid}\n`);
if (process.env.LOWDB_CHILD === 'dump') {
  // What a restart finds: the counter, the documents and events asked for (DUMP_IDS), the events' count.
  const ids = (process.env.DUMP_IDS ?? '').split(',').filter(Boolean);
  const docs = store.collection<unknown>('docs');
  const seen = store.collection<unknown>('seen-notifications');
  const dump = {
    counter: await store.collection<{ n: number }>('counter').get('c'),
    docs: Object.fromEntries(await Promise.all(ids.map(async (i) => [i, (await docs.get(`d${i}`)) ?? null]))),
    seen: Object.fromEntries(await Promise.all(ids.map(async (i) => [i, (await seen.get(`e${i}`)) ?? null]))),
    seenCount: await seen.count(),
    // Events of the range DUMP_RANGE=<from>..<to> that are there.
    inRange: await (async () => {
      const [from, to] = (process.env.DUMP_RANGE ?? '1..0').split('..').map(Number) as [number, number];
      let present = 0;
      for (let i = from; i <= to; i++) if (await seen.get(`e${i}`)) present++;
      return present;
    })(),
  };
  await store.close();
  process.stdout.write(`dump ${JSON.stringify(dump)}\n`);
} else if (process.env.LOWDB_CHILD === 'write') {
  const docs = store.collection<{ n: number; pad: string }>('docs');
  const counter = store.collection<{ n: number }>('counter');
  const seen = store.collection<{ at: number }>('seen-notifications');
  let n = (await counter.get('c'))?.n ?? 0; // a later run goes on numbering
  process.stdout.write(`from ${n + 1}\n`);
  for (;;) {
    const batch = Array.from({ length: 25 }, () => ++n);
    await Promise.all([
      ...batch.map((i) => docs.put(`d${i}`, { n: i, pad: 'x'.repeat(100) })),
      ...batch.map((i) => seen.put(`e${i}`, { at: i })),
      ...batch.map((i) => docs.delete(`d${i - 30}`)), // deletes too: d(i-30) is gone once i is acked
      counter.update('c', () => ({ n })),
    ]);
    process.stdout.write(`acked ${n}\n`);
  }
} else {
  setInterval(() => undefined, 1 << 30);
}
