import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBot } from '../bot/start-bot.js';
import { ConfigError, ensureDataDir, type Config } from '../config.js';
import { startEmulator, type RateLimitOptions } from '../emulator/index.js';
import { loadKeys } from '../lib/crypto-keys.js';
import type { Logger } from '../lib/logger.js';
import { writeFileDurably } from '../lib/write-file-durably.js';
import { startWebChat } from './web-chat/start-web-chat.js';

/**
 * The sandbox behind `npm start` when no RingCentral app is configured: the emulator and the bot
 * in one process, an account with a few people, the bot installed, a team and an admin channel.
 * Everything lives in DATA_DIR, so a restart carries on where it stopped.
 */
export interface SandboxMeta {
  emulatorUrl: string;
  botUrl: string;
  accountId: string;
  app: { clientId: string; clientSecret: string; sharedSecret: string };
  people: Record<string, { id: string; name: string }>;
  botId: string | null;
  teamChatId: string;
  adminChatId: string;
}

export const sandboxMetaPath = (dataDir: string) => join(dataDir, 'sandbox.json');

/** The sandbox's own record of what it set up; a file that is not one stops start-up naming it. */
export function readSandboxMeta(dataDir: string): SandboxMeta | undefined {
  const path = sandboxMetaPath(dataDir);
  if (!existsSync(path)) return undefined;
  let meta: Partial<SandboxMeta> | null;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8')) as Partial<SandboxMeta> | null;
  } catch (err) {
    throw new ConfigError([`${path}: is not valid JSON (${(err as Error).message}); a write may have been cut short. Move it away to set the sandbox up afresh.`]);
  }
  const ok = meta && typeof meta.emulatorUrl === 'string' && typeof meta.accountId === 'string' && typeof meta.app?.clientId === 'string' && typeof meta.people?.ada?.id === 'string' && typeof meta.teamChatId === 'string' && typeof meta.adminChatId === 'string';
  if (!ok) throw new ConfigError([`${path}: does not describe a sandbox. Move it away to set the sandbox up afresh.`]);
  return meta as SandboxMeta;
}

async function writeMeta(dataDir: string, meta: SandboxMeta) {
  // Durable and private (it holds the sandbox app's secrets): a kill never leaves half a file.
  await writeFileDurably(sandboxMetaPath(dataDir), JSON.stringify(meta, null, 2));
}

/**
 * Starts the chat page on SANDBOX_WEB_PORT, else on PORT + 2, else (that one taken) on any free port:
 * its address is printed, so a moved page is still found; a port that was asked for is kept to.
 */
async function startPage<T>(config: Config, start: (port: number) => Promise<T>): Promise<T> {
  const preferred = config.sandboxWebPort ?? (config.port <= 65533 ? config.port + 2 : config.port - 2);
  try {
    return await start(preferred);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && config.sandboxWebPort === undefined) return start(0);
    if (code === 'EADDRINUSE') throw new ConfigError([`SANDBOX_WEB_PORT: the sandbox's chat page needs port ${preferred}, which is already in use; choose another`]);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new ConfigError([`SANDBOX_WEB_HOST: cannot listen on ${config.sandboxWebHost} (${code})`]);
    throw err;
  }
}

/**
 * Starts the sandbox. `rateLimits` reaches the emulator: by default it enforces RingCentral's
 * documented budgets over 60 s, as a person trying the bot should see them; browser tests, which
 * click far faster than a person, scale the window down.
 */
export async function startSandbox({ config, log, rateLimits }: { config: Config; log: Logger; rateLimits?: RateLimitOptions }) {
  ensureDataDir(config.dataDir);
  const botPort = config.port;
  const botUrl = config.botPublicUrl ?? `http://127.0.0.1:${botPort}`;
  const previous = readSandboxMeta(config.dataDir);
  const emulatorPort = previous ? Number(new URL(previous.emulatorUrl).port) : botPort < 65535 ? botPort + 1 : botPort - 1;
  // The emulated chat history holds every card the bot posted, credentials included: keep it encrypted.
  const sealedDataExists = ['emulator.json', 'registrar.json'].some((f) => existsSync(join(config.dataDir, f)));
  const keys = loadKeys({ dataDir: config.dataDir, secretKey: config.secretKey, sealedDataExists });
  const emulator = await startEmulator({
    port: emulatorPort,
    statePath: join(config.dataDir, 'emulator.json'),
    stateCodec: { encode: (text) => keys.encrypt(text), decode: (text) => keys.decrypt(text) },
    ...(rateLimits ? { rateLimits } : {}),
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err;
    // A saved sandbox keeps its emulator's port whatever PORT says: a new PORT cannot help then.
    throw new ConfigError([
      previous
        ? `PORT: the sandbox saved in ${config.dataDir} runs its emulator on port ${emulatorPort}, which is already in use: another sandbox may be running (stop it with Ctrl-C in its terminal). A new PORT moves only the bot and the chat page, not this emulator; for a second sandbox, give it its own DATA_DIR.`
        : `PORT: the sandbox's emulator needs port ${emulatorPort} (next to PORT ${botPort}), which is already in use: another sandbox may be running (stop it with Ctrl-C in its terminal), or choose another PORT`,
    ]);
  });

  let meta: SandboxMeta;
  const resumed = previous !== undefined && emulator.summary().accounts.some((a) => a.id === previous.accountId);
  if (previous && resumed) {
    meta = { ...previous, emulatorUrl: emulator.url, botUrl };
    // Started on another PORT: point the app at where the bot is now (its subscription follows).
    if (previous.botUrl !== botUrl) emulator.updateApp(meta.app.clientId, { redirectUri: `${botUrl}/bot/oauth`, outboundWebhookUrl: `${botUrl}/bot/interactive` });
  } else {
    const account = emulator.createAccount({ name: 'Sandbox Co' });
    const person = (firstName: string, lastName: string) =>
      emulator.addPerson({ accountId: account.id, firstName, lastName, email: `${firstName.toLowerCase()}@sandbox.example` });
    const alice = person('Alice', 'Archer');
    const bob = person('Bob', 'Baker');
    const ada = person('Ada', 'Admin');
    const app = emulator.registerApp({ name: 'Registrar', kind: 'private', redirectUri: `${botUrl}/bot/oauth`, outboundWebhookUrl: `${botUrl}/bot/interactive` });
    const team = await emulator.createChat({ accountId: account.id, type: 'Team', name: 'Sandbox team', members: [alice.id, bob.id, ada.id] });
    const admins = await emulator.createChat({ accountId: account.id, type: 'Team', name: 'Registrar admins', members: [ada.id] });
    meta = {
      emulatorUrl: emulator.url,
      botUrl,
      accountId: account.id,
      app: { clientId: app.clientId, clientSecret: app.clientSecret, sharedSecret: app.sharedSecret },
      people: {
        alice: { id: alice.id, name: 'Alice Archer' },
        bob: { id: bob.id, name: 'Bob Baker' },
        ada: { id: ada.id, name: 'Ada Admin' },
      },
      botId: null,
      teamChatId: team.id,
      adminChatId: admins.id,
    };
  }
  await writeMeta(config.dataDir, meta);

  const adminIds = config.adminIds.length > 0 ? config.adminIds : [meta.people.ada!.id];
  const bot = await startBot({
    // Ada is the sandbox's admin: RingCentral does not list a team's members, so admins are named.
    config: { ...config, serverUrl: emulator.url, botPublicUrl: botUrl, adminChatId: config.adminChatId ?? meta.adminChatId, adminIds },
    log,
    host: '127.0.0.1',
    app: meta.app,
  }).catch(async (err: unknown) => {
    await emulator.close();
    // The bot's own port taken: in the sandbox that is most often a sandbox started earlier.
    if (err instanceof ConfigError && err.problems.some((p) => p.startsWith('PORT:') && p.includes('already in use'))) {
      throw new ConfigError(err.problems.map((p) => (p.startsWith('PORT:') && p.includes('already in use') ? `${p} (another sandbox may be running: stop it with Ctrl-C in its terminal)` : p)));
    }
    throw err;
  });

  // Every step below is checked on every start, so a first start stopped half way (a kill, Ctrl-C)
  // is finished by the next. A fresh emulator always gets a fresh install: a stored installation
  // would hold a token it never issued.
  let installation = resumed ? await bot.installations.get(meta.accountId) : undefined;
  if (!installation) {
    const installed = await emulator.installBot({ clientId: meta.app.clientId, accountId: meta.accountId, installerId: meta.people.alice!.id });
    if (installed.status !== 200) throw new Error(`sandbox install failed with HTTP ${installed.status}`);
    await bot.installations.idle();
    installation = await bot.installations.get(meta.accountId);
    if (!installation) throw new Error('the sandbox install did not store an installation');
  }
  const botId = installation.botId;
  for (const chatId of [meta.teamChatId, meta.adminChatId]) {
    if (!emulator.chat(chatId)?.members.includes(botId)) await emulator.addMembers(chatId, [botId]);
  }
  if (meta.botId !== botId) {
    meta = { ...meta, botId };
    await writeMeta(config.dataDir, meta);
  }

  const page = await startPage(config, (port) => startWebChat({ emulator, meta, adminIds, botIconUrl: config.botIconUrl, host: config.sandboxWebHost, port })).catch(async (err: unknown) => {
    await bot.close();
    await emulator.close();
    throw err;
  });

  const people = Object.entries(meta.people).map(([key, p]) => `${key} (${p.name}, id ${p.id})`).join(', ');
  process.stdout.write(
    [
      '',
      'Registrar sandbox is running.',
      `  Chat page: ${page.url}/   <- open this in a browser`,
      `  Bot:       ${botUrl}   (GET /healthz)`,
      `  Emulator:  ${emulator.url}   (RingCentral API; control routes under /_emulator)`,
      `  Data:      ${config.dataDir}`,
      `  People:    ${people}`,
      '',
      'Or talk to the bot from another terminal:',
      '  npm run say -- help                      as Alice, in a direct message',
      '  npm run say -- "create app"              start a registration',
      '  npm run say -- --as bob --team help      as Bob, mentioning the bot in the team chat',
      '  npm run click -- <cardId> next \'{"appType":"bot"}\'   press a card button (with input values)',
      '  npm run say -- --show                    print the conversation so far',
      '',
    ].join('\n') + '\n',
  );

  return {
    emulator,
    bot,
    meta,
    page,
    async close() {
      await page.close();
      await bot.close();
      await emulator.close();
    },
  };
}
