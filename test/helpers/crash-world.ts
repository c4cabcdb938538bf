import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApprovalRequest } from '../../src/approvals/approval-request.js';
import { cardText } from '../../src/cards/inspect-card.js';
import type { Flow } from '../../src/conversation/flow.js';
import { startEmulator } from '../../src/emulator/index.js';
import type { AppRecord } from '../../src/registry/app-records.js';
import type { AuditEntry } from '../../src/approvals/audit-log.js';
import type { Rotation } from '../../src/lifecycle/rotate-secret.js';
import { readStoreFiles } from '../../src/store/lowdb/read-store-files.js';
import { createPostgresStore } from '../../src/store/postgres-store.js';
import { startChild, type Child } from './child-process.js';
import { freePort, TEST_RATE_LIMITS } from './world.js';

/**
 * RingCentral (the emulator, in the test process) and the bot in a child process that a test can
 * kill -9 at random moments or at named checkpoints, then start again on the same DATA_DIR.
 */
export interface CrashWorldOptions {
  /** Keep the store in PostgreSQL at this URL (its search_path names an empty schema); default lowdb in DATA_DIR. */
  databaseUrl?: string;
  /** More settings for the bot (SECRET_REVEAL_SECONDS, say). */
  env?: Record<string, string>;
}

export async function startCrashWorld(options: CrashWorldOptions = {}) {
  const emulator = await startEmulator({ rateLimits: TEST_RATE_LIMITS });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const account = emulator.createAccount({ name: 'Crash Co' });
  const person = (firstName: string) => emulator.addPerson({ accountId: account.id, firstName, lastName: 'Tester', email: `${firstName.toLowerCase()}@crash.example` });
  const alice = person('Alice');
  const bob = person('Bob');
  const carol = person('Carol');
  const dave = person('Dave');
  const adminChat = await emulator.createChat({ accountId: account.id, type: 'Team', name: 'Registrar admins', members: [dave.id] });
  const app = emulator.registerApp({ name: 'Registrar', kind: 'private', redirectUri: `${base}/bot/oauth`, outboundWebhookUrl: `${base}/bot/interactive` });
  const dataDir = mkdtempSync(join(tmpdir(), 'registrar-crash-'));
  const env = {
    PORT: String(port),
    BOT_PUBLIC_URL: base,
    RINGCENTRAL_SERVER_URL: emulator.url,
    RINGCENTRAL_CLIENT_ID: app.clientId,
    RINGCENTRAL_CLIENT_SECRET: app.clientSecret,
    RINGCENTRAL_SHARED_SECRET: app.sharedSecret,
    DATA_DIR: dataDir,
    ADMIN_CHAT_ID: adminChat.id,
    ADMIN_IDS: dave.id,
    LOG_LEVEL: 'info',
    // Tests click as fast as a program can; the per-person limit has tests of its own.
    PERSON_RATE_LIMIT: '100000',
    ...(options.databaseUrl
      ? { DATABASE_URL: options.databaseUrl, REGISTRAR_SECRET_KEY: randomBytes(32).toString('hex'), RINGCENTRAL_VERIFICATION_TOKEN: randomBytes(24).toString('base64url') }
      : {}),
    ...options.env,
  };
  let child: Child | undefined;
  const world = {
    emulator,
    account,
    alice,
    bob,
    carol,
    dave,
    adminChatId: adminChat.id,
    dataDir,
    /** The bot's own HTTP address (GET /registry/clients/:id). */
    url: base,
    botId: '',
    get child() {
      return child!;
    },
    /** Starts the bot (crashing at the named checkpoints, if any) and waits until it listens. */
    async start(crashAt: string[] = []) {
      child = startChild({ ...env, REGISTRAR_TEST_CRASH_AT: crashAt.join(',') }, join(import.meta.dirname, 'crash-bot.ts'));
      await child.waitFor('"msg":"bot listening"');
    },
    async kill() {
      await child?.kill('SIGKILL');
    },
    async install() {
      const result = await emulator.installBot({ clientId: app.clientId, accountId: account.id, installerId: alice.id });
      world.botId = result.botId;
      await emulator.waitFor(() => emulator.subscriptions({ botId: result.botId }).some((s) => s.status === 'Active'), { message: 'the bot never subscribed' });
      await emulator.addMembers(adminChat.id, [result.botId]);
    },
    /** The bot's store as it is on disk. */
    async stored() {
      if (options.databaseUrl) {
        const store = await createPostgresStore(options.databaseUrl, { poolSize: 2, lockPoolSize: 1 });
        try {
          return {
            apps: await store.collection<AppRecord>('apps').list(),
            flows: await store.collection<Flow>('flows').list(),
            requests: await store.collection<ApprovalRequest>('approvals').list(),
            rotations: await store.collection<Rotation>('rotations').list(),
            audit: await store.collection<AuditEntry>('audit').list(),
          };
        } finally {
          await store.close();
        }
      }
      const data = readStoreFiles(dataDir);
      const values = <T>(name: string) => Object.values(data[name] ?? {}) as T[];
      return {
        apps: values<AppRecord>('apps'),
        flows: values<Flow>('flows'),
        requests: values<ApprovalRequest>('approvals'),
        rotations: values<Rotation>('rotations'),
        audit: values<AuditEntry>('audit'),
      };
    },
    /** Every card the bot posted, with its text as shown now. */
    cards() {
      return emulator.cards({ creatorId: world.botId }).map((c) => ({ id: c.id, chatIds: c.chatIds, text: cardText(c.body) }));
    },
    async close() {
      await child?.kill('SIGKILL');
      await emulator.close();
    },
  };
  return world;
}

export type CrashWorld = Awaited<ReturnType<typeof startCrashWorld>>;

/**
 * What must hold after any crash, once the bot is up again: no registration half done, no card
 * showing a secret that does not work, every app's credentials delivered, every pending scope
 * asked for, and every form's card showing the form as stored. Returns the problems found.
 */
export async function crashInvariants(w: CrashWorld): Promise<string[]> {
  const { apps, flows, requests } = await w.stored();
  const cards = w.cards();
  const problems: string[] = [];
  for (const card of cards) if (/Issuing credentials/.test(card.text)) problems.push(`card ${card.id} still says "Issuing credentials"`);
  for (const app of apps) {
    if (app.status !== 'active') {
      problems.push(`app ${app.clientId} is ${app.status}`);
      continue;
    }
    if (!cards.some((c) => c.text.includes(app.clientId))) problems.push(`app ${app.clientId} exists but no card ever showed its credentials`);
    const open = new Set(requests.filter((r) => r.clientId === app.clientId && r.status === 'open').flatMap((r) => r.scopes));
    const unasked = app.pendingScopes.filter((s) => !open.has(s));
    if (unasked.length) problems.push(`app ${app.clientId} has pending scopes nobody was asked for: ${unasked.join(', ')}`);
  }
  const active = new Set(apps.filter((a) => a.status === 'active').map((a) => a.clientId));
  for (const card of cards) {
    if (!/rgr_cs_/.test(card.text)) continue;
    const clientId = /Client ID\n([0-9A-Za-z]{22})/.exec(card.text)?.[1];
    if (!clientId || !active.has(clientId)) problems.push(`card ${card.id} shows a client secret of an app that does not exist (${clientId ?? 'unknown'})`);
  }
  for (const flow of flows) {
    if (flow.status === 'registering') problems.push(`flow ${flow.id} is still registering`);
    if (flow.cardVersion !== undefined && flow.cardVersion < flow.version && flow.status !== 'submitted') problems.push(`flow ${flow.id}'s card shows version ${flow.cardVersion} of ${flow.version}`);
  }
  return problems;
}
