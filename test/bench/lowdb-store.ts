/**
 * The lowdb store alone, without the bot: the cost of one write (awaited, so one append and one
 * fsync each) with 100 and with 10,000 app records stored, and the throughput of 20,000 concurrent
 * small writes (group commit). Measured, never asserted. `npx tsx test/bench/lowdb-store.ts`, or
 * `benchLowdbStore()` from test/bench/run.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLowdbStore } from '../../src/store/lowdb-store.js';

/** An app record of a realistic size (about 1 KB). */
const app = (i: number, version = 0) => ({
  clientId: `client-${i}`,
  accountId: 'acc-1',
  ownerId: `person-${i % 500}`,
  appName: `Expense Sync ${i}`,
  appType: 'rest-api',
  status: 'active',
  scopes: ['ReadMessages', 'ReadAccounts', 'SubscriptionWebhook'],
  redirectUris: [`https://app-${i}.example.com/oauth/callback`],
  secretHash: 'h'.repeat(64),
  sealedSecret: 's'.repeat(400),
  createdAt: 1_700_000_000_000 + i,
  updatedAt: 1_700_000_000_000 + i + version,
  version,
});

const at = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function oneWrite(stored: number) {
  const dir = mkdtempSync(join(tmpdir(), 'registrar-bench-'));
  const store = await createLowdbStore(dir);
  const apps = store.collection<ReturnType<typeof app>>('apps');
  for (let i = 0; i < stored; i += 500) await Promise.all(Array.from({ length: Math.min(500, stored - i) }, (_, j) => apps.put(`client-${i + j}`, app(i + j))));
  const samples: number[] = [];
  for (let k = 0; k < 1100; k++) {
    const i = k % stored;
    const t = performance.now();
    await apps.update(`client-${i}`, (cur) => cur && { ...cur, version: cur.version + 1, updatedAt: cur.updatedAt + 1 });
    if (k >= 100) samples.push(performance.now() - t); // the first 100 warm up
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  samples.sort((a, b) => a - b);
  return { median: at(samples, 50), p99: at(samples, 99) };
}

async function burst(count: number) {
  const dir = mkdtempSync(join(tmpdir(), 'registrar-bench-'));
  const store = await createLowdbStore(dir);
  const seen = store.collection<{ at: number }>('seen-notifications');
  const rssBefore = process.memoryUsage().rss;
  const t = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => seen.put(`event-${i}`, { at: i })));
  const ms = performance.now() - t;
  const rssAfter = process.memoryUsage().rss;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { ms, perSecond: count / (ms / 1000), rssGrowth: rssAfter - rssBefore };
}

export async function benchLowdbStore(print: (line: string) => void = console.log) {
  const small = await oneWrite(100);
  const large = await oneWrite(10_000);
  const fmt = (r: { median: number; p99: number }) => `median ${r.median.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms`;
  print(`${'lowdb store: one write, 100 apps stored'.padEnd(48)} ${fmt(small)}`);
  print(`${'lowdb store: one write, 10,000 apps stored'.padEnd(48)} ${fmt(large)}  (${(large.median / small.median).toFixed(2)}x)`);
  const b = await burst(20_000);
  print(`${'lowdb store: 20,000 concurrent small writes'.padEnd(48)} ${b.ms.toFixed(0)} ms, ${b.perSecond.toFixed(0)} writes/s, RSS +${(b.rssGrowth / 2 ** 20).toFixed(1)} MB`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchLowdbStore();
