import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Flow } from '../../../src/conversation/flow.js';
import { startEmulator, type Emulator } from '../../../src/emulator/index.js';
import { readStoreFiles } from '../../../src/store/lowdb/read-store-files.js';
import { startChild, type Child } from '../../helpers/child-process.js';
import { cardText, freePort } from '../../helpers/world.js';
import { submitActions, inputs } from '../../helpers/flow.js';

let child: Child | undefined;
let emulator: Emulator | undefined;
afterEach(async () => {
  await child?.kill('SIGKILL');
  await emulator?.close();
  child = emulator = undefined;
});

/** Resolves once nothing accepts a connection at `url` any more; rejects if it still does after `ms`. */
async function refusedWithin(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const answered = await fetch(url, { signal: AbortSignal.timeout(200) }).then(
      () => true,
      () => false,
    );
    if (!answered) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${url} still answers ${ms} ms after SIGTERM`);
}

describe('SIGTERM to the bot as npm start runs it (src/main.ts in its own process)', () => {
  it('stops accepting at once, finishes the click in flight, saves it, logs it and exits 0', async () => {
    emulator = await startEmulator();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const account = emulator.createAccount({ name: 'Term Co' });
    const alice = emulator.addPerson({ accountId: account.id, firstName: 'Alice', lastName: 'Archer', email: 'alice@term.example' });
    const app = emulator.registerApp({ name: 'Registrar', kind: 'private', redirectUri: `${base}/bot/oauth`, outboundWebhookUrl: `${base}/bot/interactive` });
    const dataDir = mkdtempSync(join(tmpdir(), 'registrar-sigterm-'));
    child = startChild({
      PORT: String(port),
      BOT_PUBLIC_URL: base,
      RINGCENTRAL_SERVER_URL: emulator.url,
      RINGCENTRAL_CLIENT_ID: app.clientId,
      RINGCENTRAL_CLIENT_SECRET: app.clientSecret,
      RINGCENTRAL_SHARED_SECRET: app.sharedSecret,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    });
    await child.waitFor('"msg":"bot listening"');
    const { botId } = await emulator.installBot({ clientId: app.clientId, accountId: account.id, installerId: alice.id });
    await emulator.waitFor(() => emulator!.subscriptions({ botId }).some((s) => s.status === 'Active'), { message: 'the bot never subscribed' });
    const dm = await emulator.directChat(alice.id, botId);
    await emulator.post({ chatId: dm.id, personId: alice.id, text: 'create app' });
    await emulator.waitFor(() => emulator!.cards({ chatId: dm.id, creatorId: botId }).length > 0, { message: 'no form' });
    const card = emulator.cards({ chatId: dm.id, creatorId: botId })[0]!;

    // RingCentral is slow to update the card: the click is still in hand when SIGTERM arrives.
    emulator.failNext(1, { delayMs: 1500 }, { method: 'PUT', pathPrefix: '/team-messaging/v1/adaptive-cards/' });
    const next = submitActions(card.body).find((a) => a.data.action === 'next')!;
    let clickDone = false;
    const click = emulator.submit({ cardId: card.id, personId: alice.id, data: { ...inputs(card.body), ...next.data, appType: 'bot' } }).finally(() => (clickDone = true));
    await child.waitFor('"msg":"submit received"');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const exited = child.kill('SIGTERM');

    // Intake stops while the click is still being handled.
    await refusedWithin(`${base}/healthz`, 1000);
    expect(clickDone).toBe(false);

    expect((await click).status).toBe(200);
    expect(await exited).toBe(0);
    expect(cardText(emulator.card(card.id)!.body)).toMatch(/Step 2/);
    // What the card shows is on disk, and the last lines were written before the exit.
    const flows = Object.values(readStoreFiles(dataDir).flows ?? {}) as Flow[];
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({ step: 'basics', draft: { appType: 'bot' } });
    expect(child.output()).toMatch(/"level":"info"[^\n]*"signal":"SIGTERM"[^\n]*"msg":"shutting down"/);
    expect(child.output()).not.toContain('work still running at the deadline');
    // Everything the process printed, oidc-provider's console notices included, is a JSON log line.
    for (const line of child.output().split('\n').filter(Boolean)) expect(() => JSON.parse(line), line).not.toThrow();
  });
});
