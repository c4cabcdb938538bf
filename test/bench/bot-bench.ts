/**
 * The bot in this process (so `observe` can tell a click's own work from its waiting on
 * RingCentral), the emulator in a process of its own, the store seeded with `apps` registered apps
 * and `flows` open forms. Measures a form click's bot-side time, then ingress of three kinds of
 * request beside the bare endpoints (ingress.ts).
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBot } from '../../src/bot/start-bot.js';
import { cardInputs, submitActions } from '../../src/cards/inspect-card.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { createLowdbStore } from '../../src/store/lowdb-store.js';
import { freePort } from '../helpers/world.js';
import { compareIngress, type IngressRow, type RequestSpec } from './ingress.js';
import { emulatorProcess, seed, type Card } from './store.js';

export const pct = (samples: number[], p: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

/** POSTs `body` on a keep-alive connection; resolves to the status and the answer's text. */
function post(agent: http.Agent, url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface BotBenchResult {
  /** A form click, from the signed submit reaching the bot to its answer, less the waiting on RingCentral. */
  click: { p50: number; p99: number; n: number };
  /** The same clicks as `observe` sees them: the handling alone (no HTTP, no inbox write), less the waiting. */
  handling: { p50: number; p99: number };
  /** The same clicks with the waiting on RingCentral (the card update) left in. */
  withWaiting: { p50: number; p99: number };
  teamPost: IngressRow;
  duplicate: IngressRow;
  staleClick: IngressRow;
}

export async function botBench({ apps = 10_000, flows = 1000, clickPairs = 200, seconds = 5, connections = 32, bare }: { apps?: number; flows?: number; clickPairs?: number; seconds?: number; connections?: number; bare: { node: string; express: string } }): Promise<BotBenchResult> {
  const emu = await emulatorProcess();
  const dataDir = mkdtempSync(join(tmpdir(), 'registrar-bench-bot-'));
  try {
    const account = await emu.call<{ id: string }>('POST', '/accounts', { name: 'Bench Co' });
    const person = (firstName: string) => emu.call<{ id: string }>('POST', '/persons', { accountId: account.id, firstName, lastName: 'Bench', email: `${firstName.toLowerCase()}@bench.example` });
    const [alice, bob, carol] = [await person('Alice'), await person('Bob'), await person('Carol')];
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const registered = await emu.call<{ clientId: string; clientSecret: string; sharedSecret: string }>('POST', '/apps', { name: 'Registrar', kind: 'private', redirectUri: `${base}/bot/oauth`, outboundWebhookUrl: `${base}/bot/interactive` });

    // The store as production opens it (lowdb in DATA_DIR), seeded through the store API first.
    const secretKey = randomBytes(32).toString('hex');
    const seeding = await createLowdbStore(dataDir);
    await seed(seeding, apps, flows, account.id);
    await seeding.close();

    const own: number[] = [];
    const total: number[] = [];
    const config = loadConfig({
      PORT: String(port), BOT_PUBLIC_URL: base, RINGCENTRAL_SERVER_URL: emu.url, RINGCENTRAL_CLIENT_ID: registered.clientId, RINGCENTRAL_CLIENT_SECRET: registered.clientSecret,
      RINGCENTRAL_SHARED_SECRET: registered.sharedSecret, DATA_DIR: dataDir, REGISTRAR_SECRET_KEY: secretKey, LOG_LEVEL: 'warn',
      // One person clicks thousands of times a second here; the per-person limit would (rightly) stop that.
      PERSON_RATE_LIMIT: '1000000',
    });
    const bot = await startBot({ config, log: createLogger({ level: 'warn' }), host: '127.0.0.1', observe: (_m, o, t) => (own.push(o), total.push(t)) });
    try {
      const { botId } = await emu.call<{ botId: string }>('POST', '/install', { clientId: registered.clientId, accountId: account.id, installerId: alice.id });
      await bot.installations.idle();
      const dm = await emu.call<{ id: string }>('POST', '/direct', { personId: alice.id, botId });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const records = async (chatId: string) => (await emu.call<{ records: { creatorId?: string; card?: Card }[] }>('GET', `/chats/${chatId}/posts`)).records;
      const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
        for (let i = 0; i < 250; i++) {
          const found = await probe();
          if (found !== undefined) return found;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error(`benchmark set-up: ${what} did not happen`);
      };

      // A form click: the submit RingCentral would send, signed, straight to the bot.
      await emu.call('POST', `/chats/${dm.id}/posts`, { personId: alice.id, text: 'create app' });
      const latestForm = async () => (await records(dm.id)).filter((r) => r.card && submitActions(r.card.body).some((a) => a.data.flowId)).at(-1)?.card;
      const submitBody = (card: Card, data: Record<string, unknown>, uuid: string) =>
        JSON.stringify({
          uuid, timestamp: new Date().toISOString(), type: 'button_submit', appId: registered.clientId,
          user: { id: alice.id, extId: alice.id, firstName: 'Alice', lastName: 'Bench', accountId: account.id },
          conversation: { id: dm.id, type: 'DM' }, card: { id: card.id }, bot: { id: botId }, data,
        });
      const formData = (card: Card, action: string, values: Record<string, unknown>) => ({ ...cardInputs(card.body), ...submitActions(card.body).find((a) => a.data.action === action)!.data, ...values });
      const sign = (body: string) => createHmac('sha1', registered.sharedSecret).update(body).digest('hex');
      let clickNo = 0;
      const clicks: number[] = [];
      const click = async (action: string, values: Record<string, unknown>) => {
        const card = (await latestForm())!;
        const body = submitBody(card, formData(card, action, values), `bench-click-${clickNo++}`);
        const headers = { 'content-type': 'application/json', 'x-glip-signature': sign(body) };
        const seen = own.length;
        const started = performance.now();
        const answer = await post(agent, `${base}/bot/interactive`, headers, body);
        const roundTrip = performance.now() - started;
        if (answer.status !== 200 || own.length !== seen + 1) throw new Error(`a form click was not handled (HTTP ${answer.status})`);
        clicks.push(roundTrip - (total.at(-1)! - own.at(-1)!));
      };
      const stale = await until('the form card', latestForm);
      const staleData = formData(stale, 'next', { appType: 'bot' });
      const pairs = async (n: number) => {
        for (let i = 0; i < n; i++) {
          await click('next', i % 2 === 0 ? { appType: 'bot' } : { appType: 'rest-api' });
          await click('back', {});
        }
      };
      await pairs(10); // warm-up (the first clicks compile the bot's code), not counted
      own.length = 0;
      total.length = 0;
      clicks.length = 0;
      await pairs(clickPairs);
      const handlingOwn = [...own];
      const withWaiting = [...total];
      const clickResult = { p50: pct(clicks, 50), p99: pct(clicks, 99), n: clicks.length };

      // (c) A click on a card the form has moved on from: verified, stored, handled (the form is
      // read under its owner's lock and found newer) and answered with a dialog, no RingCentral call.
      const staleSpec: RequestSpec = { path: '/bot/interactive', headers: { 'content-type': 'application/json' }, body: submitBody(stale, staleData, '__UUID__'), secret: registered.sharedSecret };
      const probeBody = submitBody(stale, staleData, 'bench-stale-probe');
      const probe = await post(agent, `${base}/bot/interactive`, { 'content-type': 'application/json', 'x-glip-signature': sign(probeBody) }, probeBody);
      if (probe.status !== 200 || !probe.text.includes('"dialog"')) throw new Error(`a stale click was not answered with a dialog: ${probe.status} ${probe.text}`);

      // (a) A team post that does not concern the bot. One delivery first caches the team, as in any busy team.
      const team = await emu.call<{ id: string }>('POST', '/chats', { accountId: account.id, type: 'Team', name: 'Busy team', members: [alice.id, bob.id, carol.id, botId] });
      const webhookHeaders = { 'content-type': 'application/json; charset=UTF-8', 'verification-token': bot.verificationToken };
      const postEnvelope = (uuid: string, chatId: string, postId: string, text: string) =>
        JSON.stringify({
          uuid, event: '/team-messaging/v1/posts', timestamp: new Date().toISOString(), ownerId: botId,
          body: { id: postId, groupId: chatId, type: 'TextMessage', text, creatorId: alice.id, mentions: null, eventType: 'PostAdded', attachments: null, creationTime: new Date().toISOString() },
        });
      const teamSpec: RequestSpec = { path: '/bot/webhook', headers: webhookHeaders, body: postEnvelope('__UUID__', team.id, '900001', 'Lunch at noon, anyone?') };
      await post(agent, `${base}/bot/webhook`, webhookHeaders, postEnvelope('bench-team-first', team.id, '900000', 'Good morning, team'));

      // (b) A delivery the bot already handled ("help" in its direct chat: answered), delivered again.
      const dupBody = postEnvelope('bench-duplicate', dm.id, '900002', 'help');
      const before = (await records(dm.id)).length;
      await post(agent, `${base}/bot/webhook`, webhookHeaders, dupBody);
      await until('the answer to "help"', async () => ((await records(dm.id)).length > before ? true : undefined));
      agent.destroy();
      const dupSpec: RequestSpec = { path: '/bot/webhook', headers: webhookHeaders, body: dupBody };

      const opts = { connections, seconds };
      const teamPost = await compareIngress(base, bare, teamSpec, opts);
      const duplicate = await compareIngress(base, bare, dupSpec, opts);
      const staleClick = await compareIngress(base, bare, staleSpec, opts);
      return {
        click: clickResult,
        handling: { p50: pct(handlingOwn, 50), p99: pct(handlingOwn, 99) },
        withWaiting: { p50: pct(withWaiting, 50), p99: pct(withWaiting, 99) },
        teamPost,
        duplicate,
        staleClick,
      };
    } finally {
      await bot.close();
    }
  } finally {
    await emu.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
