import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import { startChild, type Child } from './child-process.js';
import { freshSchema, postgresUrl, rawQuery } from './postgres.js';
import { startRoundRobinProxy } from './round-robin-proxy.js';
import { freePort, TEST_RATE_LIMITS } from './world.js';

/**
 * Several bot instances on one PostgreSQL store, behind a load balancer that alternates between
 * them request by request, against the emulator (in the test process). Each instance is a child
 * process with its own PORT and DATA_DIR and the shared REGISTRAR_SECRET_KEY and verification token,
 * as a real deployment would run them.
 */
export async function startMultiWorld(instances = 2) {
  const emulator = await startEmulator({ rateLimits: TEST_RATE_LIMITS });
  const schema = freshSchema();
  await rawQuery(`CREATE SCHEMA ${schema}`);
  const db = new URL(postgresUrl());
  db.searchParams.set('options', `-c search_path=${schema}`);
  const ports = await Promise.all(Array.from({ length: instances }, () => freePort()));
  const proxy = await startRoundRobinProxy(() => ports.map((p) => `http://127.0.0.1:${p}`));
  const account = emulator.createAccount({ name: 'Scaled Co' });
  const person = (firstName: string, lastName: string) => emulator.addPerson({ accountId: account.id, firstName, lastName, email: `${firstName.toLowerCase()}@scaled.example` });
  const alice = person('Alice', 'Archer');
  const dave = person('Dave', 'Admin');
  const erin = person('Erin', 'Admin');
  const adminChat = await emulator.createChat({ accountId: account.id, type: 'Team', name: 'Registrar admins', members: [dave.id, erin.id] });
  const app = emulator.registerApp({ name: 'Registrar', kind: 'private', redirectUri: `${proxy.url}/bot/oauth`, outboundWebhookUrl: `${proxy.url}/bot/interactive` });
  const shared = {
    BOT_PUBLIC_URL: proxy.url,
    RINGCENTRAL_SERVER_URL: emulator.url,
    RINGCENTRAL_CLIENT_ID: app.clientId,
    RINGCENTRAL_CLIENT_SECRET: app.clientSecret,
    RINGCENTRAL_SHARED_SECRET: app.sharedSecret,
    RINGCENTRAL_VERIFICATION_TOKEN: randomBytes(24).toString('base64url'),
    REGISTRAR_SECRET_KEY: randomBytes(32).toString('hex'),
    DATABASE_URL: db.toString(),
    ADMIN_CHAT_ID: adminChat.id,
    ADMIN_IDS: [dave.id, erin.id].join(','),
    LOG_LEVEL: 'info',
    // Tests click as fast as a program can; the per-person limit has tests of its own.
    PERSON_RATE_LIMIT: '100000',
  };
  const children: Child[] = [];
  const world = {
    emulator,
    proxy,
    account,
    alice,
    dave,
    erin,
    adminChatId: adminChat.id,
    botId: '',
    env: shared,
    ports,
    children,
    urlOf: (i: number) => `http://127.0.0.1:${ports[i]}`,
    async start() {
      for (const [i, port] of ports.entries()) {
        const child = startChild({ ...shared, PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), `registrar-multi-${i}-`)) }, join(import.meta.dirname, 'crash-bot.ts'));
        children[i] = child;
      }
      await Promise.all(children.map((c) => c.waitFor('"msg":"bot listening"')));
    },
    async install() {
      const result = await emulator.installBot({ clientId: app.clientId, accountId: account.id, installerId: alice.id });
      world.botId = result.botId;
      await emulator.waitFor(() => emulator.subscriptions({ botId: result.botId }).some((s) => s.status === 'Active'), { message: 'the bot never subscribed' });
      await emulator.addMembers(adminChat.id, [result.botId]);
      return result;
    },
    /** Log lines of every instance that mention `text`. */
    logsWith: (text: string) => children.flatMap((c) => c.output().split('\n').filter((l) => l.includes(text))),
    async close() {
      await Promise.all(children.map((c) => c.kill('SIGTERM')));
      await proxy.close();
      await emulator.close();
      await rawQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    },
  };
  return world;
}

export type MultiWorld = Awaited<ReturnType<typeof startMultiWorld>>;
