import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBot } from '../../src/bot/start-bot.js';
import { cardInputs, submitActions } from '../../src/cards/inspect-card.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import type { Store } from '../../src/store/store.js';
import { startChild } from '../helpers/child-process.js';
import { freePort } from '../helpers/world.js';

/**
 * Store cost as the registry grows: one store write, and the bot's own work for a form click,
 * at `sizes` registered apps with 1,000 open forms beside them, and the process's memory. The
 * emulator runs in a process of its own, so this process's event loop is the bot's alone; a
 * click's own work is its handling time less the time spent waiting on RingCentral.
 * `open(fresh)` gives a store: a fresh one to fill, or (false) the same data again.
 */
export interface StoreTarget {
  label: string;
  open(fresh: boolean): Promise<Store>;
}

const ms = (n: number) => `${n.toFixed(2)} ms`;
const pct = (samples: number[], p: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

function app(i: number, accountId: string) {
  const at = new Date(1_700_000_000_000 + i).toISOString();
  return {
    appType: 'rest-api', appName: `Seeded App ${i}`, displayName: `Seeded App ${i}`, primaryContact: `owner${i % 500}@example.com`, promote: false,
    authMethod: 'oauth', redirectUris: [`https://app${i}.example.com/oauth/callback`], refreshTokens: true, scopes: ['ReadMessages', 'ReadAccounts', 'SMS'],
    justification: '', access: 'private', interactiveMessages: false,
    clientId: `seed${String(i).padStart(18, '0')}`, accountId, ownerId: `seed-owner-${i % 500}`, status: 'active',
    grantedScopes: ['ReadMessages', 'ReadAccounts', 'SMS'], pendingScopes: [], clientSecrets: [{ id: 'cs-bench', hash: 'f'.repeat(64), last4: 'abcd', issuedAt: at }], sharedSecrets: [], createdAt: at, updatedAt: at,
  };
}

function flow(i: number, accountId: string, now: number) {
  return {
    id: `seed-flow-${i}`, accountId, ownerId: `seed-owner-${i}`, chatId: `seed-chat-${i}`, cardId: `seed-card-${i}`, step: 'scopes', version: 4,
    draft: { appType: 'rest-api', appName: `Draft ${i}`, displayName: `Draft ${i}`, primaryContact: 'someone@example.com', promote: false, authMethod: 'jwt' },
    entered: {}, errors: {}, notice: '', returnToReview: false, status: 'active', clientId: null, createdAt: now, updatedAt: now, cardVersion: 4,
  };
}

/** Stores `apps` app records and `flows` open registration forms of one account, 500 writes at a time. */
export async function seed(store: Store, apps: number, flows: number, accountId: string) {
  const a = store.collection('apps');
  const f = store.collection('flows');
  const now = Date.now();
  const batch = async (n: number, put: (i: number) => Promise<void>) => {
    for (let i = 0; i < n; i += 500) await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, j) => put(i + j)));
  };
  await batch(apps, (i) => a.put(app(i, accountId).clientId, app(i, accountId)));
  await batch(flows, (i) => f.put(`seed-flow-${i}`, flow(i, accountId, now)));
}

export type Card = { id: string; body: Record<string, unknown> };

/** The emulator in its own process, driven over HTTP through its /_emulator control routes. */
export async function emulatorProcess() {
  const child = startChild({}, join(import.meta.dirname, 'emulator-process.ts'));
  await child.waitFor(/emulator http:\/\/\S+/);
  const url = /emulator (http:\/\/\S+)/.exec(child.output())![1]!;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/_emulator${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return { url, call, close: () => child.kill('SIGTERM') };
}

export async function storeBench(target: StoreTarget, sizes = [100, 10_000], openFlows = 1000) {
  const lines: string[] = [];
  const cost: { write: number; click: number }[] = [];
  for (const size of sizes) {
    const emu = await emulatorProcess();
    const account = await emu.call<{ id: string }>('POST', '/accounts', { name: 'Bench Co' });
    const alice = await emu.call<{ id: string }>('POST', '/persons', { accountId: account.id, firstName: 'Alice', lastName: 'Archer', email: 'alice@bench.example' });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const registered = await emu.call<{ clientId: string; clientSecret: string; sharedSecret: string }>('POST', '/apps', { name: 'Registrar', kind: 'private', redirectUri: `${base}/bot/oauth`, outboundWebhookUrl: `${base}/bot/interactive` });

    const seeding = await target.open(true);
    await seed(seeding, size, openFlows, account.id);
    const apps = seeding.collection<{ updatedAt: string }>('apps');
    const writes: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const id = `seed${String(Math.floor(Math.random() * size)).padStart(18, '0')}`;
      const t = performance.now();
      await apps.update(id, (cur) => cur && { ...cur, updatedAt: new Date(i).toISOString() });
      writes.push(performance.now() - t);
    }
    await seeding.close();

    const own: number[] = [];
    const total: number[] = [];
    const config = loadConfig({
      PORT: String(port), BOT_PUBLIC_URL: base, RINGCENTRAL_SERVER_URL: emu.url, RINGCENTRAL_CLIENT_ID: registered.clientId,
      RINGCENTRAL_CLIENT_SECRET: registered.clientSecret, RINGCENTRAL_SHARED_SECRET: registered.sharedSecret, DATA_DIR: mkdtempSync(join(tmpdir(), 'registrar-bench-bot-')), LOG_LEVEL: 'warn', PERSON_RATE_LIMIT: '100000',
    });
    const bot = await startBot({ config, log: createLogger({ level: 'warn' }), host: '127.0.0.1', store: await target.open(false), observe: (_m, o, t) => (own.push(o), total.push(t)) });
    const installed = await emu.call<{ botId: string }>('POST', '/install', { clientId: registered.clientId, accountId: account.id, installerId: alice.id });
    await bot.installations.idle();
    const dm = await emu.call<{ id: string }>('POST', '/direct', { personId: alice.id, botId: installed.botId });
    await emu.call('POST', `/chats/${dm.id}/posts`, { personId: alice.id, text: 'create app' });
    let form: Card | undefined;
    const latest = async () => {
      const { records } = await emu.call<{ records: { card?: Card }[] }>('GET', `/chats/${dm.id}/posts`);
      return records.filter((r) => r.card && submitActions(r.card.body).some((a) => a.data.flowId)).at(-1)?.card;
    };
    for (let i = 0; i < 200 && !form; i++) form = (await latest()) ?? (await new Promise<undefined>((r) => setTimeout(() => r(undefined), 20)));
    if (!form) throw new Error('no form card');
    const click = async (action: string, values: Record<string, unknown>) => {
      const card = (await latest())!;
      const data = { ...cardInputs(card.body), ...submitActions(card.body).find((a) => a.data.action === action)!.data, ...values };
      await emu.call('POST', `/cards/${card.id}/submit`, { personId: alice.id, data });
    };
    const pairs = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await click('next', i % 2 === 0 ? { appType: 'bot' } : { appType: 'rest-api' });
        await click('back', {});
      }
    };
    await pairs(10); // warm-up (the first clicks compile the bot's code), not counted
    own.length = 0;
    total.length = 0;
    await pairs(150);
    const rss = process.memoryUsage().rss;
    await bot.close();
    await emu.close();
    cost.push({ write: pct(writes, 50), click: pct(own, 50) });
    lines.push(
      `${target.label.padEnd(9)} ${String(size).padStart(6)} apps + ${openFlows} open forms: one store write p50 ${ms(pct(writes, 50))} p99 ${ms(pct(writes, 99))}; ` +
        `a click's own work p50 ${ms(pct(own, 50))} p99 ${ms(pct(own, 99))} (with waiting on RingCentral p99 ${ms(pct(total, 99))}; n=${own.length}); rss ${(rss / 1024 / 1024).toFixed(0)} MB`,
    );
  }
  if (cost.length > 1) {
    const [first, last] = [cost[0]!, cost.at(-1)!];
    lines.push(`${target.label.padEnd(9)} cost at ${sizes.at(-1)} apps / cost at ${sizes[0]} (p50): one store write ${(last.write / first.write).toFixed(2)}x, a click's own work ${(last.click / first.click).toFixed(2)}x`);
  }
  return lines;
}

