import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSandboxMeta } from '../../../src/sandbox/start-sandbox.js';
import { startChild, type Child } from '../../helpers/child-process.js';
import { freePortRun } from '../../helpers/world.js';

let child: Child | undefined;
afterEach(async () => {
  await child?.kill();
  child = undefined;
});

type Summary = { bots: { id: string }[]; chats: { id: string; name?: string | null; members: string[] }[] };

describe('the sandbox stopped during its first start (kill -9, or Ctrl-C before the signal handlers exist)', () => {
  it('finishes its setup on the next start: the bot is in the team and admin chats and sandbox.json names it', { timeout: 90_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'registrar-review-sbx-'));
    const env = { DATA_DIR: dataDir, PORT: String(await freePortRun(2)), LOG_LEVEL: 'info' };
    child = startChild(env);
    // The moment the bot has stored its installation, before the sandbox adds it to its chats.
    await child.waitFor('"msg":"bot installed"');
    await child.kill('SIGKILL');

    child = startChild({ ...env, LOG_LEVEL: 'silent' });
    await child.waitFor('sandbox is running', 30_000);
    const meta = readSandboxMeta(dataDir)!;
    const state = (await (await fetch(`${meta.emulatorUrl}/_emulator/state`)).json()) as Summary;
    const botId = state.bots[0]!.id;
    const chat = (id: string) => state.chats.find((c) => c.id === id)!;
    expect({ metaBotId: meta.botId, inTeam: chat(meta.teamChatId).members.includes(botId), inAdmins: chat(meta.adminChatId).members.includes(botId) }).toEqual({
      metaBotId: botId,
      inTeam: true,
      inAdmins: true,
    });
  });

  it('names sandbox.json when a cut-short write left it empty, instead of a bare JSON error', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'registrar-review-sbx-'));
    const env = { DATA_DIR: dataDir, PORT: String(await freePortRun(2)), LOG_LEVEL: 'silent' };
    child = startChild(env);
    await child.waitFor('sandbox is running', 30_000);
    await child.kill('SIGKILL');
    // writeFileSync is not atomic: a full disk or a kill in the middle leaves this.
    writeFileSync(join(dataDir, 'sandbox.json'), '');
    child = startChild(env);
    const code = await new Promise<number | null>((resolve) => child!.process.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(child.output()).toContain('sandbox.json');
  });
});
