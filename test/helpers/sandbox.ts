import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cardInputs, submitActions } from '../../src/cards/inspect-card.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { startSandbox } from '../../src/sandbox/start-sandbox.js';
import { freePortRun, TEST_RATE_LIMITS } from './world.js';

export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

/**
 * A sandbox as `npm start` runs it, on free ports, its start-up banner kept off the test output;
 * its emulator's rate window is scaled like every test world's (TEST_RATE_LIMITS).
 */
export async function startQuietSandbox(dataDir = mkdtempSync(join(tmpdir(), 'registrar-sandbox-')), env: Record<string, string> = {}) {
  const config = loadConfig({ PORT: String(await freePortRun(2)), SANDBOX_WEB_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', PERSON_RATE_LIMIT: '100000', ...env });
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return { sandbox: await startSandbox({ config, log: createLogger({ level: 'silent' }), rateLimits: TEST_RATE_LIMITS }), dataDir };
  } finally {
    process.stdout.write = write;
  }
}

interface Record_ {
  id: string;
  creatorId: string;
  text: string | null;
  card?: { id: string; body: Record<string, unknown>; version: number };
}

/** Talks to the chat page's API as one person, the way the page's script does. */
export function pageClient(base: string, as: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/api${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const client = {
    call,
    chats: async () => (await call('GET', `/people/${as}/chats`)).body.chats as { id: string; name: string; kind: string }[],
    posts: async (chatId: string) => (await call('GET', `/chats/${chatId}/posts?as=${as}`)).body.records as Record_[],
    say: (chatId: string, text: string) => call('POST', `/chats/${chatId}/posts`, { as, text }),
    /** The newest card in the chat. */
    async card(chatId: string) {
      const cards = (await client.posts(chatId)).filter((r) => r.card);
      return cards[cards.length - 1]?.card;
    },
    /** Clicks the newest card's button `action`, its inputs as shown plus `values`. */
    async click(chatId: string, action: string, values: Record<string, unknown> = {}) {
      const card = (await client.card(chatId))!;
      const button = submitActions(card.body).find((a) => a.data.action === action);
      if (!button) throw new Error(`no ${action} button`);
      return call('POST', `/cards/${card.id}/submit`, { as, chatId, data: { ...cardInputs(card.body), ...button.data, ...values } });
    },
  };
  return client;
}
