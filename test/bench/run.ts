/**
 * `npm run bench`: speed and memory, measured in one run on loopback, never asserted by tests.
 * The main output is one table (issue 13): ingress of three kinds of request beside a bare
 * node:http and a bare express JSON endpoint started here; a form click's bot-side time; the RSS
 * of the production build with 10,000 apps and 1,000 open forms; time from start to listening;
 * each against its target. Below it, smaller figures: signature checks, step validation and card
 * rendering per operation, and store cost as the registry grows, for lowdb and (with
 * BENCH_DATABASE_URL or TEST_DATABASE_URL) PostgreSQL.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { renderCard } from '../../src/cards/render-card.js';
import { verifyGlipSignature } from '../../src/http/verify-signature.js';
import { loadScopeCatalog } from '../../src/registry/scope-catalog.js';
import { validateStep } from '../../src/registry/steps.js';
import { createLowdbStore } from '../../src/store/lowdb-store.js';
import { createPostgresStore } from '../../src/store/postgres-store.js';
import { goodBasics } from '../helpers/flow.js';
import { botBench } from './bot-bench.js';
import { botProcessBench, median } from './bot-process.js';
import { startBareServers, type IngressRow } from './ingress.js';
import { storeBench } from './store.js';

const root = join(import.meta.dirname, '..', '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 32;
const TARGETS = { ingressRatio: 0.5, clickP99Ms: 10, rssMb: 100, startMs: 1000 };

const num = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const verdict = (ok: boolean) => (ok ? 'pass' : 'FAIL');

function micro(name: string, iterations: number, fn: () => void) {
  for (let i = 0; i < Math.min(1000, iterations / 10); i++) fn(); // warm up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  const elapsed = performance.now() - start;
  console.log(`  ${name.padEnd(44)} ${(iterations / (elapsed / 1000)).toFixed(0).padStart(10)} ops/s  ${((elapsed * 1000) / iterations).toFixed(1).padStart(8)} µs/op`);
}

function microFigures() {
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
}

async function storeFigures() {
  let dir = '';
  for (const line of await storeBench({
    label: 'lowdb',
    open: async (fresh) => {
      if (fresh) dir = mkdtempSync(join(tmpdir(), 'registrar-bench-'));
      return createLowdbStore(dir);
    },
  })) console.log(`  ${line}`);
  const server = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!server) {
    console.log('  PostgreSQL: not measured (set BENCH_DATABASE_URL or TEST_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test)');
    return;
  }
  let schema = '';
  const schemas: string[] = [];
  try {
    for (const line of await storeBench({
      label: 'postgres',
      open: async (fresh) => {
        if (fresh) {
          schema = `bench_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
          schemas.push(schema);
          const admin = new pg.Client({ connectionString: server });
          await admin.connect();
          await admin.query(`CREATE SCHEMA ${schema}`);
          await admin.end();
        }
        return createPostgresStore(server, { schema });
      },
    })) console.log(`  ${line}`);
  } finally {
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    for (const name of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    await admin.end();
  }
}

function table(rows: string[][]) {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  console.log(line(rows[0]!));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows.slice(1)) console.log(line(r));
}

async function main() {
  const cpu = cpus();
  console.log(`Registrar benchmark: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}, ${process.platform} ${process.arch}`);
  console.log(`Load average before the run: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine makes every figure worse and noisier).`);
  console.log(`Loopback; lowdb store; each ingress figure ${SECONDS} s of ${CONNECTIONS} keep-alive connections from a load generator in its own process, after 1 s of warm-up.\n`);

  process.stderr.write('building the production bundle (npm run build) ...\n');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });

  process.stderr.write('measuring clicks and ingress (bot in this process, emulator and load generator in their own) ...\n');
  const bare = await startBareServers();
  const b = await botBench({ bare: bare.urls, seconds: SECONDS, connections: CONNECTIONS });
  await bare.close();
  process.stderr.write('measuring RSS and start-up (node dist/main.js in its own process) ...\n');
  const p = await botProcessBench();

  const ingressRows = (name: string, r: IngressRow) => {
    const ratio = r.bot.rps / r.node.rps;
    return [
      [`${name}: requests/s`, num(r.bot.rps), num(r.node.rps), num(r.express.rps), `${ratio.toFixed(2)}x`, `${(r.bot.rps / r.express.rps).toFixed(2)}x`, `≥ ${TARGETS.ingressRatio}x node: ${verdict(ratio >= TARGETS.ingressRatio)}`],
      [`${name}: p99 latency`, ms(r.bot.p99), ms(r.node.p99), ms(r.express.p99), `${(r.bot.p99 / r.node.p99).toFixed(2)}x`, `${(r.bot.p99 / r.express.p99).toFixed(2)}x`, ''],
    ];
  };
  const startSeeded = median(p.startSeeded);
  const startEmpty = median(p.startEmpty);
  table([
    ['What', 'Bot', 'Bare node:http', 'Bare express', 'Bot / node', 'Bot / express', 'Target'],
    ...ingressRows('Team post not for the bot (webhook)', b.teamPost),
    ...ingressRows('Duplicate delivery (same uuid)', b.duplicate),
    ...ingressRows('Signed card submit (stale card)', b.staleClick),
    ['Form click, bot-side (p50 / p99)', `${ms(b.click.p50)} / ${ms(b.click.p99)}`, '', '', '', '', `p99 < ${TARGETS.clickP99Ms} ms: ${verdict(b.click.p99 < TARGETS.clickP99Ms)}`],
    ['RSS, 10,000 apps + 1,000 open forms', mb(p.rss), '', '', '', '', `< ${TARGETS.rssMb} MB: ${verdict(p.rss < TARGETS.rssMb * 2 ** 20)}`],
    ['Start to listening, 10,000 apps (median)', ms(startSeeded), '', '', '', '', `< 1 s: ${verdict(startSeeded < TARGETS.startMs)}`],
    ['Start to listening, empty store (median)', ms(startEmpty), '', '', '', '', `< 1 s: ${verdict(startEmpty < TARGETS.startMs)}`],
  ]);

  const failures = [b.teamPost, b.duplicate, b.staleClick].flatMap((r) => [r.bot, r.node, r.express]).reduce((n, r) => n + r.failures, 0);
  console.log(`
Notes:
- Failed or non-200 answers during the ingress runs: ${failures}.
- Form click: a signed "next" or "back" submit sent straight to the bot, timed from the request to the answer, less the time the
  bot spent waiting on RingCentral (the card update), n=${b.click.n} after 20 warm-up clicks. The handling alone (no HTTP, no inbox
  write) p50 ${ms(b.handling.p50)} / p99 ${ms(b.handling.p99)}; with the waiting on the emulator left in p50 ${ms(b.withWaiting.p50)} / p99 ${ms(b.withWaiting.p99)}.
- Signed card submit under load: a "next" click on a form card the form has since moved on from, each with its own uuid:
  verified, stored in the inbox, handled (the form read under its owner's lock and found newer), answered with a dialog, marked done.
- RSS: VmRSS of the node dist/main.js process, installed, after a command, a form and a click, settled ${3} s; its peak (VmHWM) ${p.peak === undefined ? 'n/a' : mb(p.peak)}.
- Start to listening: spawn to the "bot listening" log line (then /healthz answers); 10,000 apps: ${p.startSeeded.map((t) => t.toFixed(0)).join(', ')} ms;
  empty: ${p.startEmpty.map((t) => t.toFixed(0)).join(', ')} ms (a first start, each in a fresh DATA_DIR).
`);

  console.log('Per operation:');
  microFigures();
  console.log("\nStore cost as the registry grows (a click's own work: its handling less its waiting on RingCentral):");
  await storeFigures();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
