import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBot, type RunningBot } from '../../src/bot/start-bot.js';
import type { OutboxPolicy } from '../../src/delivery/outbox.js';
import { loadConfig } from '../../src/config.js';
import { glipSignature, startEmulator, type EmulatorOptions, type RateLimitOptions } from '../../src/emulator/index.js';
import type { App, Person, StoredCard } from '../../src/emulator/model.js';
import { manualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { createLowdbStore } from '../../src/store/lowdb-store.js';
import type { Store } from '../../src/store/store.js';
import { failingDisk } from './failing-disk.js';
import { faultyStore } from './faulty-store.js';

/** A port nobody listens on right now (the bot's redirect URI must be known before it starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A free port whose next `count - 1` ports are free too (the sandbox's emulator takes PORT + 1). */
export async function freePortRun(count: number): Promise<number> {
  const taken = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createServer().listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
      s.on('error', () => resolve(true));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port + count > 65535) continue;
    let clear = true;
    for (let i = 1; i < count && clear; i++) clear = !(await taken(port + i));
    if (clear) return port;
  }
  throw new Error(`no run of ${count} free ports found`);
}

/**
 * The emulator enforces RingCentral's budgets in every test world, over a 1 s window instead of
 * 60 s: a test packs hours of use into seconds, and the bot's gate, which learns the window from
 * X-Rate-Limit-Window, would otherwise wait out whole minutes. The penalty stays at RingCentral's
 * 60 s, so a 429 the bot provokes stalls the test past its timeout instead of passing unnoticed.
 */
export const TEST_RATE_LIMITS: RateLimitOptions = { windowSeconds: 1 };

type Name = 'alice' | 'bob' | 'carol' | 'dave' | 'erin';

export interface WorldOptions {
  kind?: 'private' | 'public';
  /** Creates a team "Registrar admins" with these people (the bot joins it after install) and sets ADMIN_CHAT_ID. */
  adminChat?: Name[];
  /** Sets ADMIN_IDS to these people's ids; with `adminChat`, defaults to its people (ADMIN_IDS is then required). */
  adminIds?: Name[];
  env?: Record<string, string>;
  /** Start without installing the bot. */
  noInstall?: boolean;
  /** Wraps the bot's store so tests can make chosen writes fail (world.faults). */
  faultyStore?: boolean;
  /** The outbox's retry pace (src/delivery/outbox.ts), quicker in tests. */
  outbox?: Partial<OutboxPolicy>;
  /** The bot's store, made anew for each start (default: lowdb in the world's DATA_DIR). */
  store?: () => Promise<Store>;
  /** Passed to startBot: how long each click took. */
  observe?: (metric: 'submit', ownMs: number, totalMs: number) => void;
  /** Puts a disk under the bot's lowdb store whose file operations can be made to fail (world.disk: EROFS, ENOSPC). */
  faultyDisk?: boolean;
  /** Emulator options (the clock is the world's). */
  emulator?: Omit<EmulatorOptions, 'now'>;
}

/**
 * The real bot against the emulator over real sockets: one account with three people, the bot
 * app registered, the bot installed, and every log line kept for inspection.
 */
export async function startWorld(options: WorldOptions = {}) {
  const clock = manualClock(Date.now());
  const emulator = await startEmulator({ ...options.emulator, rateLimits: { ...TEST_RATE_LIMITS, ...options.emulator?.rateLimits }, now: clock.now });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const account = emulator.createAccount({ name: 'Acme' });
  const alice = emulator.addPerson({ accountId: account.id, firstName: 'Alice', lastName: 'Archer', email: 'alice@acme.example' });
  const bob = emulator.addPerson({ accountId: account.id, firstName: 'Bob', lastName: 'Baker', email: 'bob@acme.example' });
  const carol = emulator.addPerson({ accountId: account.id, firstName: 'Carol', lastName: 'Cole', email: 'carol@acme.example' });
  const dave = emulator.addPerson({ accountId: account.id, firstName: 'Dave', lastName: 'Admin', email: 'dave@acme.example' });
  const erin = emulator.addPerson({ accountId: account.id, firstName: 'Erin', lastName: 'Admin', email: 'erin@acme.example' });
  const people = { alice, bob, carol, dave, erin };
  const adminChat = options.adminChat
    ? await emulator.createChat({ accountId: account.id, type: 'Team', name: 'Registrar admins', members: options.adminChat.map((n) => people[n].id) })
    : undefined;
  const adminIds = options.adminIds ?? options.adminChat;
  const app: App = emulator.registerApp({
    name: 'Registrar',
    kind: options.kind ?? 'private',
    redirectUri: `${base}/bot/oauth`,
    outboundWebhookUrl: `${base}/bot/interactive`,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'registrar-it-'));
  const env = {
    PORT: String(port),
    BOT_PUBLIC_URL: base,
    RINGCENTRAL_SERVER_URL: emulator.url,
    RINGCENTRAL_CLIENT_ID: app.clientId,
    RINGCENTRAL_CLIENT_SECRET: app.clientSecret,
    RINGCENTRAL_SHARED_SECRET: app.sharedSecret,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'debug',
    // Tests click as fast as a program can; the per-person limit has tests of its own.
    PERSON_RATE_LIMIT: '100000',
    ...(adminChat ? { ADMIN_CHAT_ID: adminChat.id } : {}),
    ...(adminIds ? { ADMIN_IDS: adminIds.map((n) => people[n].id).join(',') } : {}),
    ...options.env,
  };
  const logs: string[] = [];
  let bot: RunningBot = undefined as unknown as RunningBot;
  const world = {
    clock,
    emulator,
    account,
    alice,
    bob,
    carol,
    dave,
    erin,
    adminChatId: adminChat?.id ?? '',
    app,
    dataDir,
    env,
    logs,
    botId: '',
    /** With `faultyStore`: arms writes that fail as on a full disk. */
    faults: undefined as unknown as ReturnType<typeof faultyStore>['faults'],
    /** With `faultyDisk`: the disk under the store, whose steps can be made to fail. */
    disk: options.faultyDisk ? failingDisk() : (undefined as unknown as ReturnType<typeof failingDisk>),
    get bot() {
      return bot;
    },
    async start() {
      const config = loadConfig(env);
      const log = createLogger({ level: 'debug', sink: (l) => logs.push(l) });
      const wrapped = options.faultyStore ? faultyStore(await createLowdbStore(dataDir)) : undefined;
      if (wrapped) world.faults = wrapped.faults;
      const onDisk = options.faultyDisk ? await createLowdbStore(dataDir, { disk: world.disk.wrap }) : undefined;
      bot = await startBot({
        config,
        log,
        clock,
        ...(wrapped ? { store: wrapped.store } : onDisk ? { store: onDisk } : options.store ? { store: await options.store() } : {}),
        ...(options.observe ? { observe: options.observe } : {}),
        host: '127.0.0.1',
        timing: { sub406RetryMs: 30, retry: { baseDelayMs: 10, maxDelayMs: 50 }, ...(options.outbox ? { outbox: options.outbox } : {}) },
      });
    },
    /** Stops the bot only (a restart keeps DATA_DIR and the emulator). */
    async stop() {
      await bot.close();
    },
    async install(extra: { subscribeFailures?: number } = {}) {
      const result = await emulator.installBot({ clientId: app.clientId, accountId: account.id, installerId: alice.id, ...extra });
      await bot.installations.idle();
      world.botId = result.botId;
      if (adminChat && result.status === 200) {
        await emulator.addMembers(adminChat.id, [result.botId]);
        await emulator.waitFor(() => emulator.posts({ chatId: adminChat.id, creatorId: result.botId }).length > 0, { message: 'no greeting in the admin chat' });
      }
      return result;
    },
    async dm(person: Person) {
      return emulator.directChat(person.id, world.botId);
    },
    /** Bot text posts in a chat, oldest first. */
    botTexts(chatId: string): string[] {
      return emulator.posts({ chatId, creatorId: world.botId }).filter((p) => p.type === 'TextMessage').map((p) => p.text ?? '');
    },
    botCards(chatId: string): StoredCard[] {
      return emulator.cards({ chatId, creatorId: world.botId });
    },
    /** Posts as a person and waits until the bot has answered with `expect` more posts (text or card). */
    async say(person: Person, chatId: string, text: string, expectReplies = 1) {
      const before = emulator.posts({ chatId, creatorId: world.botId }).length;
      await emulator.post({ chatId, personId: person.id, text });
      await emulator.waitFor(() => emulator.posts({ chatId, creatorId: world.botId }).length >= before + expectReplies, {
        message: `bot did not reply to "${text}"`,
      });
      return emulator.posts({ chatId, creatorId: world.botId }).slice(before);
    },
    /** Also fails the test if RingCentral would have refused a dialog the bot opened (no title or icon). */
    async close() {
      await bot?.close().catch(() => undefined);
      await emulator.close();
      const refused = emulator.dialogs.filter((d) => d.error !== null);
      if (refused.length > 0) throw new Error(`the bot answered with dialogs RingCentral refuses: ${refused.map((d) => d.error).join('; ')}`);
    },
  };
  await world.start();
  if (!options.noInstall) await world.install();
  return world;
}

export type World = Awaited<ReturnType<typeof startWorld>>;

/**
 * A signed button_submit that names `person` as the clicker, sent straight to the bot. RingCentral
 * only lets members of a chat click its cards; this is how a test shows that the bot judges a click
 * by the signed user field alone (a stranger, or a forged approver in the data, gets nowhere).
 */
export async function clickAs(world: World, cardId: string, person: Person, data: Record<string, unknown>) {
  const chat = world.emulator.card(cardId)!.chatIds[0]!;
  const member = world.emulator.chat(chat)!.members.find((m) => m !== world.botId)!;
  const request = world.emulator.signedSubmitRequest({ cardId, personId: member, data });
  const payload = { ...request.payload, user: { ...request.payload.user, id: person.id, extId: person.id, firstName: person.firstName, lastName: person.lastName } };
  const body = JSON.stringify(payload);
  const res = await fetch(request.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-glip-signature': glipSignature(world.app.sharedSecret, body) }, body });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

export { cardText } from '../../src/cards/inspect-card.js';

/** Markdown as a reader sees it: backslash escapes of ASCII punctuation resolved (CommonMark 2.4). */
export const unescaped = (markdown: string) => markdown.replace(/\\([!-/:-@[-`{-~])/g, '$1');
