import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createLowdbStore } from '../../src/store/lowdb-store.js';
import { failingDisk } from '../helpers/failing-disk.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

describe('a burst of writes', () => {
  it('takes 20,000 concurrent writes in few appends, with memory growing by the queue alone, not by copies of the state', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registrar-burst-'));
    const disk = failingDisk();
    const store = await createLowdbStore(dir, { disk: disk.wrap });
    // About 10 MB of state: a copy of it per queued write would be gigabytes.
    const docs = store.collection<{ n: number; pad: string }>('docs');
    for (let i = 0; i < 10_000; i += 500) await Promise.all(Array.from({ length: 500 }, (_, j) => docs.put(`d${i + j}`, { n: i + j, pad: 'x'.repeat(1000) })));
    const appendsBefore = disk.calls.writeAt ?? 0;
    const base = heapMb();
    const seen = store.collection<{ at: number }>('seen-notifications');
    const started = performance.now();
    let peak = 0;
    const writes = Array.from({ length: 20_000 }, (_, i) => {
      const p = seen.put(`event-${i}`, { at: i });
      // Sampled while the queue drains (without gc: what is really held, garbage included).
      return i % 1000 === 0 ? p.then(() => void (peak = Math.max(peak, process.memoryUsage().heapUsed / 2 ** 20))) : p;
    });
    const queued = heapMb() - base;
    await Promise.all(writes);
    const ms = performance.now() - started;
    const appends = (disk.calls.writeAt ?? 0) - appendsBefore;
    process.stdout.write(`20,000 concurrent writes: ${Math.round(ms)} ms (${Math.round(20_000 / (ms / 1000))}/s) in ${appends} appends; heap +${queued.toFixed(1)} MB queued, peak +${(peak - base).toFixed(1)} MB\n`);
    expect(appends).toBeLessThanOrEqual(25); // batches of up to 1,000
    expect(queued).toBeLessThan(40);
    expect(peak - base).toBeLessThan(120);
    await store.close();
    const again = await createLowdbStore(dir);
    expect(await again.collection('seen-notifications').count()).toBe(20_000);
    expect(await again.collection('docs').count()).toBe(10_000);
    await again.close();
  });
});
