/**
 * `npm run bench`: speed and memory of the hot paths, measured, never asserted.
 * - Micro: signature checks, step validation, card rendering.
 * - End to end: the real bot against the emulator over loopback (a "help" round trip, a form
 *   click), with memory before and after.
 * - Ingress: verified team posts the bot ignores, beside a bare node:http endpoint in the same run.
 * - Store: one write and a click's bot-side work at 100 and 10,000 registered apps (1,000 open
 *   forms), for lowdb and (with BENCH_DATABASE_URL or TEST_DATABASE_URL) PostgreSQL; RSS.
 */
import { createHmac } from 'node:crypto';
import { renderCard } from '../../src/cards/render-card.js';
import { verifyGlipSignature } from '../../src/http/verify-signature.js';
import { loadScopeCatalog } from '../../src/registry/scope-catalog.js';
import { validateStep } from '../../src/registry/steps.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLowdbStore } from '../../src/store/lowdb-store.js';
import { createPostgresStore } from '../../src/store/postgres-store.js';
import { flowDriver, goodBasics } from '../helpers/flow.js';
import { startWorld } from '../helpers/world.js';
import { ingressBench } from './ingress.js';
import { benchLowdbStore } from './lowdb-store.js';
import { storeBench } from './store.js';

function micro(name: string, iterations: number, fn: () => void) {
  for (let i = 0; i < Math.min(1000, iterations / 10); i++) fn(); // warm up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  const ms = performance.now() - start;
  console.log(`${name.padEnd(44)} ${(iterations / (ms / 1000)).toFixed(0).padStart(10)} ops/s  ${((ms * 1000) / iterations).toFixed(1).padStart(8)} µs/op`);
}

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return `p50 ${at(50).toFixed(1)} ms  p95 ${at(95).toFixed(1)} ms  max ${at(100).toFixed(1)} ms  (n=${samples.length})`;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main() {
  console.log(`Registrar benchmarks on Node ${process.version}\n`);
  const secret = 'bench-shared-secret';
  const body = Buffer.from(JSON.stringify({ uuid: 'x', data: { action: 'next', filler: 'x'.repeat(2000) } }));
  const signature = createHmac('sha1', secret).update(body).digest('hex');
  micro('verifyGlipSignature (2 KB body)', 50_000, () => void verifyGlipSignature({ secret, rawBody: body, signature }));

  const catalog = loadScopeCatalog();
  const ctx = { draft: { appType: 'bot' as const }, existingAppNames: ['Other'], allowNotificationAddins: false, catalog };
  micro('validateStep(features) with a webhook URL', 20_000, () => void validateStep('features', { interactiveMessages: 'true', outboundWebhookUrl: 'https://hooks.example.com/rc' }, ctx));
  micro('validateStep(basics)', 20_000, () => void validateStep('basics', goodBasics, ctx));
  const review = {
    flowId: 'f',
    version: '3',
    botId: 'b',
    notice: '',
    sections: [{ section: 'basics', title: 'Name and contact', editLabel: 'Edit name and contact', facts: [{ title: 'App name', value: 'Expense Sync' }] }],
  };
  micro("renderCard('review')", 5_000, () => void renderCard('review', review));

  const rssBefore = process.memoryUsage().rss;
  const world = await startWorld({ env: { LOG_LEVEL: 'warn' } });
  const dm = await world.dm(world.alice);
  const helps: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await world.say(world.alice, dm.id, 'help');
    helps.push(performance.now() - t);
  }
  console.log(`\n${'"help" round trip (post → webhook → reply)'.padEnd(44)} ${percentiles(helps)}`);

  const clicks: number[] = [];
  for (let i = 0; i < 30; i++) {
    const flow = flowDriver(world, world.alice, dm.id);
    await world.say(world.alice, dm.id, i === 0 ? 'create app' : 'resume');
    for (const values of [{ appType: 'bot' }, { ...goodBasics, appName: `Bench ${i}` }]) {
      const t = performance.now();
      await flow.next(values);
      clicks.push(performance.now() - t);
    }
    await flow.click('back');
    await flow.click('back');
  }
  console.log(`${'form click (signed submit → card update)'.padEnd(44)} ${percentiles(clicks)}`);
  const { heapUsed, rss } = process.memoryUsage();
  console.log(`\nmemory: rss ${mb(rssBefore)} before the bot, ${mb(rss)} after ${helps.length + clicks.length} turns; heap used ${mb(heapUsed)}`);
  await world.close();

  const ingress = await ingressBench();
  console.log(`\nignored team posts (verified webhook, no mention): bot ${ingress.bot.toFixed(0)}/s, bare node:http ${ingress.bare.toFixed(0)}/s, ratio ${ingress.ratio.toFixed(2)}x; ${ingress.rss}`);

  console.log('\nlowdb store alone:');
  await benchLowdbStore((line) => console.log(`  ${line}`));

  console.log('\nstore cost as the registry grows (a click\'s own work: its handling time less its waiting on RingCentral):');
  let dir = '';
  for (const line of await storeBench({ label: 'lowdb', open: async (fresh) => {
    if (fresh) dir = mkdtempSync(join(tmpdir(), 'registrar-bench-'));
    return createLowdbStore(dir);
  } })) console.log(`  ${line}`);
  const server = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!server) {
    console.log('  PostgreSQL: not measured (set BENCH_DATABASE_URL or TEST_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test)');
    return;
  }
  let schema = '';
  const schemas: string[] = [];
  for (const line of await storeBench({ label: 'postgres', open: async (fresh) => {
    if (fresh) {
      schema = `bench_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
      schemas.push(schema);
      const admin = new pg.Client({ connectionString: server });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
    }
    return createPostgresStore(server, { schema });
  } })) console.log(`  ${line}`);
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  for (const name of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  await admin.end();
}

void main();
