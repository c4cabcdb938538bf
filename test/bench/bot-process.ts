/**
 * The bot as production runs it: the compiled build (`node dist/main.js`) in a process of its own,
 * its lowdb store in DATA_DIR seeded through the store API before it starts. Measures the RSS of
 * that process alone (VmRSS in /proc/<pid>/status, else its own /metrics) once it has settled with
 * `apps` registered apps and `flows` open forms, installed and having answered a few turns, and
 * the time from spawning it to its "bot listening" line, with that store and with an empty one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cardInputs, submitActions } from '../../src/cards/inspect-card.js';
import { createLowdbStore } from '../../src/store/lowdb-store.js';
import { freePort } from '../helpers/world.js';
import { pct } from './bot-bench.js';
import { emulatorProcess, seed, type Card } from './store.js';

const root = join(import.meta.dirname, '..', '..');
export const MAIN = join(root, 'dist', 'main.js');

interface Running {
  child: ChildProcess;
  /** ms from spawn to the "bot listening" line. */
  startMs: number;
  stop(): Promise<void>;
}

/** Spawns `node dist/main.js`; resolves once it logged "bot listening" and /healthz answers. */
async function spawnBot(env: Record<string, string>, cwd: string, base: string): Promise<Running> {
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const startMs = await new Promise<number>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes('"bot listening"')) {
        child.stdout!.off('data', onData);
        resolve(performance.now() - started);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    void exited.then(() => reject(new Error(`the bot exited before listening:\n${out.slice(-2000)}`)));
  });
  child.stdout!.resume(); // later log lines must not fill the pipe
  const health = await fetch(`${base}/healthz`);
  if (!health.ok) throw new Error(`/healthz answered ${health.status}`);
  return {
    child,
    startMs,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The process's resident set: /proc on Linux, else what its /metrics says. */
async function rssOf(pid: number, metricsUrl: string, token: string): Promise<{ rss: number; peak: number | undefined }> {
  const status = `/proc/${pid}/status`;
  if (existsSync(status)) {
    const text = readFileSync(status, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  }
  const metrics = await (await fetch(metricsUrl, { headers: { authorization: `Bearer ${token}` } })).text();
  return { rss: Number(/^process_resident_memory_bytes (\S+)/m.exec(metrics)?.[1]), peak: undefined };
}

export interface BotProcessResult {
  rss: number;
  peak: number | undefined;
  startSeeded: number[];
  startEmpty: number[];
}

export async function botProcessBench({ apps = 10_000, flows = 1000, starts = 5, settleMs = 3000 } = {}): Promise<BotProcessResult> {
  const emu = await emulatorProcess();
  const work = mkdtempSync(join(tmpdir(), 'registrar-bench-proc-'));
  try {
    const account = await emu.call<{ id: string }>('POST', '/accounts', { name: 'Bench Co' });
    const alice = await emu.call<{ id: string }>('POST', '/persons', { accountId: account.id, firstName: 'Alice', lastName: 'Bench', email: 'alice@bench.example' });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const registered = await emu.call<{ clientId: string; clientSecret: string; sharedSecret: string }>('POST', '/apps', { name: 'Registrar', kind: 'private', redirectUri: `${base}/bot/oauth`, outboundWebhookUrl: `${base}/bot/interactive` });
    const metricsToken = randomBytes(24).toString('hex');
    const env = (dataDir: string) => ({
      PORT: String(port), BOT_PUBLIC_URL: base, RINGCENTRAL_SERVER_URL: emu.url, RINGCENTRAL_CLIENT_ID: registered.clientId, RINGCENTRAL_CLIENT_SECRET: registered.clientSecret,
      RINGCENTRAL_SHARED_SECRET: registered.sharedSecret, DATA_DIR: dataDir, REGISTRAR_SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'info',
      PERSON_RATE_LIMIT: '1000000', METRICS_TOKEN: metricsToken, NODE_ENV: 'production',
    });

    const seeded = join(work, 'seeded');
    const store = await createLowdbStore(seeded);
    await seed(store, apps, flows, account.id);
    await store.close();
    const seededEnv = env(seeded); // one key for every start on this store

    // RSS: installed, a few turns answered (a command, a form opened and clicked), then left to settle.
    const bot = await spawnBot(seededEnv, work, base);
    let memory: { rss: number; peak: number | undefined };
    try {
      const { botId } = await emu.call<{ botId: string }>('POST', '/install', { clientId: registered.clientId, accountId: account.id, installerId: alice.id });
      const dm = await emu.call<{ id: string }>('POST', '/direct', { personId: alice.id, botId });
      const records = async () => (await emu.call<{ records: { card?: Card }[] }>('GET', `/chats/${dm.id}/posts`)).records;
      const waitFor = async (count: number) => {
        for (let i = 0; i < 250 && (await records()).length < count; i++) await new Promise((r) => setTimeout(r, 20));
      };
      await emu.call('POST', `/chats/${dm.id}/posts`, { personId: alice.id, text: 'help' });
      await waitFor(2);
      await emu.call('POST', `/chats/${dm.id}/posts`, { personId: alice.id, text: 'create app' });
      await waitFor(4);
      const card = (await records()).filter((r) => r.card).at(-1)?.card;
      const next = card && submitActions(card.body).find((a) => a.data.action === 'next');
      if (!card || !next) throw new Error('benchmark set-up: the bot in its process showed no form');
      await emu.call('POST', `/cards/${card.id}/submit`, { personId: alice.id, data: { ...cardInputs(card.body), ...next.data, appType: 'bot' } });
      await waitFor(4);
      await new Promise((r) => setTimeout(r, settleMs));
      memory = await rssOf(bot.child.pid!, `${base}/metrics`, metricsToken);
    } finally {
      await bot.stop();
    }

    const timeStarts = async (dirFor: (i: number) => string, envFor: (dir: string) => Record<string, string>) => {
      const times: number[] = [];
      for (let i = 0; i <= starts; i++) {
        const running = await spawnBot(envFor(dirFor(i)), work, base);
        await running.stop();
        if (i > 0) times.push(running.startMs); // the first start warms the file cache: not counted
      }
      return times;
    };
    const startSeeded = await timeStarts(() => seeded, () => seededEnv);
    // An empty store: a DATA_DIR of its own each time (the very first start of an installation).
    const startEmpty = await timeStarts((i) => join(work, `empty-${i}`), env);
    return { rss: memory.rss, peak: memory.peak, startSeeded, startEmpty };
  } finally {
    await emu.close();
    rmSync(work, { recursive: true, force: true });
  }
}

export const median = (samples: number[]) => pct(samples, 50);
