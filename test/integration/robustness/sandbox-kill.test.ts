import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cardInputs, cardText, submitActions } from '../../../src/cards/inspect-card.js';
import { readSandboxMeta, type SandboxMeta } from '../../../src/sandbox/start-sandbox.js';
import { startChild, type Child } from '../../helpers/child-process.js';
import { freePortRun } from '../../helpers/world.js';

let child: Child | undefined;
afterEach(async () => {
  await child?.kill();
  child = undefined;
});

type Records = { records: { type: string; card?: { id: string; body: Record<string, unknown> } }[] };

async function control<T>(meta: SandboxMeta, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${meta.emulatorUrl}/_emulator${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return (await res.json()) as T;
}

async function formCard(meta: SandboxMeta, chatId: string) {
  for (let i = 0; i < 100; i++) {
    const { records } = await control<Records>(meta, 'GET', `/chats/${chatId}/posts`);
    const card = records.filter((r) => r.card && submitActions(r.card.body).some((a) => a.data.flowId)).at(-1)?.card;
    if (card) return card;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no form card');
}

/** Clicks a button of the card as a RingCentral client would: its data plus the card's input values. */
async function click(meta: SandboxMeta, card: { id: string; body: Record<string, unknown> }, action: string, values: Record<string, unknown>) {
  const data = { ...cardInputs(card.body), ...submitActions(card.body).find((a) => a.data.action === action)!.data, ...values };
  return control<{ status: number; body: unknown }>(meta, 'POST', `/cards/${card.id}/submit`, { personId: meta.people.alice!.id, data });
}

describe('the sandbox killed right after the bot acted', () => {
  it('comes back with the cards the bot last drew, so the form goes on answering', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'registrar-sandbox-kill-'));
    const env = { DATA_DIR: dataDir, PORT: String(await freePortRun(2)), LOG_LEVEL: 'silent' };
    child = startChild(env);
    await child.waitFor('sandbox is running');
    let meta = readSandboxMeta(dataDir)!;
    const dm = await control<{ id: string }>(meta, 'POST', '/direct', { personId: meta.people.alice!.id, botId: meta.botId });
    await control(meta, 'POST', `/chats/${dm.id}/posts`, { personId: meta.people.alice!.id, text: 'create app' });
    const first = await formCard(meta, dm.id);
    const answer = await click(meta, first, 'next', { appType: 'bot' });
    expect(answer.status).toBe(200);
    await child.kill('SIGKILL'); // the moment the bot's answer is in, before anything else can happen

    child = startChild(env);
    await child.waitFor('sandbox is running');
    meta = readSandboxMeta(dataDir)!;
    const shown = await formCard(meta, dm.id);
    expect(cardText(shown.body)).toMatch(/Step 2/);
    const next = await click(meta, shown, 'next', { appName: 'Kill Test', displayName: 'Kill Test', iconUrl: 'https://cdn.example.com/i.png', primaryContact: 'alice@sandbox.example', promote: 'false' });
    expect(JSON.stringify(next.body ?? '')).not.toMatch(/moved on/);
    expect(cardText((await formCard(meta, dm.id)).body)).toMatch(/Step 3/);
  });
});
