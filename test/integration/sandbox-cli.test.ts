import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { readable, replacementOf } from '../../src/sandbox/chat-cli.js';
import { startSandbox } from '../../src/sandbox/start-sandbox.js';
import { startQuietSandbox, type Sandbox } from '../helpers/sandbox.js';

const root = join(import.meta.dirname, '..', '..');
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** Runs `npm run say` (or click) as a person would, against the sandbox in `dataDir`. */
function cli(dataDir: string, mode: 'say' | 'click', args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'src', 'sandbox', 'chat-cli.ts'), ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, ...(mode === 'click' ? { REGISTRAR_CLI: 'click' } : {}) }, timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

const cardIds = (out: string) => [...out.matchAll(/\[card ([0-9a-f-]{36}), version \d+\]/g)].map((m) => m[1]!);

describe('the sandbox command line', () => {
  it('prints the card a command typed in the team opened in the direct chat, with mentions as names', { timeout: 60_000 }, async () => {
    const started = await startQuietSandbox();
    sandbox = started.sandbox;
    const { out } = await cli(started.dataDir, 'say', ['--as', 'bob', '--team', 'create app']);
    expect(out).toContain('@Bob Baker');
    expect(out).not.toContain('![:Person]');
    expect(out).toMatch(/in your direct chat with the bot/);
    expect(out).toMatch(/Step 1 of \d+/);
    expect(out).not.toContain('no answer from the bot yet');

    // A card only Bob can press: Alice is told to act as Bob.
    const [cardId] = cardIds(out);
    const refused = await cli(started.dataDir, 'click', [cardId!, 'next', '{"appType":"bot"}']);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain(`npm run click -- --as bob ${cardId} next '{"appType":"bot"}'`);
  });

  it("suggests --as ada for a card in the admins' channel that Alice may not press", { timeout: 60_000 }, async () => {
    const started = await startQuietSandbox();
    sandbox = started.sandbox;
    const { bot, meta } = sandbox;
    const client = await bot.installations.client((await bot.installations.get(meta.accountId))!);
    const card = { type: 'AdaptiveCard' as const, version: '1.3', body: [{ type: 'TextBlock', text: 'A request', wrap: true }], actions: [{ type: 'Action.Submit', title: 'Approve all', data: { action: 'approve', requestId: 'r1' } }] };
    const { id } = await client.postCard(meta.adminChatId, card);
    const refused = await cli(started.dataDir, 'click', [id, 'approve']);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('is not a member');
    expect(refused.err).toContain(`npm run click -- --as ada ${id} approve`);
  });

  it('prints markdown readably', { timeout: 60_000 }, async () => {
    const started = await startQuietSandbox();
    sandbox = started.sandbox;
    const { out } = await cli(started.dataDir, 'say', ['help']);
    expect(out).toContain('• create app:');
    expect(out).not.toContain('**');
  });

  it('prints a dialog as the answer to a click, without "no answer yet"', { timeout: 60_000 }, async () => {
    const started = await startQuietSandbox();
    sandbox = started.sandbox;
    const [cardId] = cardIds((await cli(started.dataDir, 'say', ['create app'])).out);
    await cli(started.dataDir, 'click', [cardId!, 'next', '{"appType":"bot"}']);
    // The first version's button again (its version given by hand): the form has moved on.
    const { out } = await cli(started.dataDir, 'click', [cardId!, 'next', '{"version":"1"}']);
    expect(out).toContain('(dialog for Alice Archer) This form has moved on');
    expect(out).toContain('Type resume');
    expect(out).not.toContain('no answer from the bot yet');
  });

  it('names the card that replaced the one clicked', { timeout: 60_000 }, async () => {
    const started = await startQuietSandbox();
    sandbox = started.sandbox;
    const [old] = cardIds((await cli(started.dataDir, 'say', ['create app'])).out);
    const resumed = await cli(started.dataDir, 'say', ['resume']);
    const fresh = cardIds(resumed.out).find((id) => id !== old);
    expect(fresh).toBeDefined();
    const { code, err } = await cli(started.dataDir, 'click', [old!, 'next', '{"appType":"bot"}']);
    expect(code).not.toBe(0);
    expect(err).toContain(`Card ${old} was replaced by card ${fresh}`);
    expect(err).toContain(`npm run click -- ${fresh} next '{"appType":"bot"}'`);
    // A button the new card does not have is not suggested: its buttons are listed instead.
    const bogus = await cli(started.dataDir, 'click', [old!, 'bogusaction']);
    expect(bogus.err).toContain(`Card ${old} was replaced by card ${fresh}, which has these buttons: cancel (Cancel), next (Next)`);
  });
});

describe('a port the sandbox needs taken', () => {
  it('says another sandbox may be running, for a saved sandbox and for a fresh one', { timeout: 60_000 }, async () => {
    const started = await startQuietSandbox();
    sandbox = started.sandbox;
    const log = createLogger({ level: 'silent' });
    const emulatorPort = Number(new URL(sandbox.meta.emulatorUrl).port);
    // The same DATA_DIR on another PORT: the saved emulator port is the one taken.
    const again = startSandbox({ config: loadConfig({ PORT: String(emulatorPort + 10), DATA_DIR: started.dataDir, LOG_LEVEL: 'silent' }), log });
    await expect(again).rejects.toThrow(/another sandbox may be running[\s\S]*own DATA_DIR/);
    // A fresh sandbox whose emulator would take PORT + 1, the running one's emulator port.
    const fresh = startSandbox({ config: loadConfig({ PORT: String(emulatorPort - 1), DATA_DIR: mkdtempSync(join(tmpdir(), 'registrar-clash-')), LOG_LEVEL: 'silent' }), log });
    await expect(fresh).rejects.toThrow(/another sandbox may be running[\s\S]*choose another PORT/);
  });
});

describe('readable chat text', () => {
  it('shows mentions as names, links with their address, and escapes resolved', () => {
    const names = (id: string) => (id === '42' ? 'Alice Archer' : undefined);
    expect(readable('![:Person](42) **Expense\\_Sync** see [the docs](https://example.com/x)', names)).toBe('@Alice Archer Expense_Sync see the docs (https://example.com/x)');
    expect(readable('\\[Approve here\\]\\(https://evil\\.example\\)')).toBe('[Approve here](https://evil.example)');
    expect(readable('\\*\\*not bold\\*\\*')).toBe('**not bold**');
  });

  it('finds the later card of the same form as the replacement', () => {
    const card = (id: string, flowId?: string) => ({ id, creatorId: 'bot', creatorName: '', type: 'Card', text: null, creationTime: '', card: { id, version: 1, body: { type: 'AdaptiveCard', body: [], actions: flowId ? [{ type: 'Action.Submit', title: 'Next', data: { action: 'next', flowId } }] : [] } } });
    const records = [card('a', 'f1'), card('c', 'f1'), card('b', 'f2'), card('d')];
    expect(replacementOf(records, 'a', 'bot')?.id).toBe('c');
    expect(replacementOf(records, 'c', 'bot')?.id).toBe('b'); // no later card of its own form: the newest with buttons
    expect(replacementOf(records, 'd', 'bot')).toBeUndefined();
  });
});
