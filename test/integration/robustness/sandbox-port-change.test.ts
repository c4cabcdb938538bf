import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/lib/logger.js';
import { startSandbox } from '../../../src/sandbox/start-sandbox.js';
import { freePortRun } from '../../helpers/world.js';

let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

describe('restarting the sandbox on another PORT', () => {
  it('still answers "help" in a direct message', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'registrar-probe-port-'));
    const log = createLogger({ level: 'silent' });
    sandbox = await quietly(async () => startSandbox({ config: loadConfig({ PORT: String(await freePortRun(2)), DATA_DIR: dataDir }), log }));
    await sandbox.close();
    sandbox = await quietly(async () => startSandbox({ config: loadConfig({ PORT: String(await freePortRun(2)), DATA_DIR: dataDir }), log }));
    const { emulator, meta } = sandbox;
    const alice = meta.people.alice!.id;
    const dm = await emulator.directChat(alice, meta.botId!);
    await emulator.post({ chatId: dm.id, personId: alice, text: 'help' });
    await emulator.waitFor(() => emulator.posts({ chatId: dm.id, creatorId: meta.botId! }).length > 0, { timeoutMs: 3000, message: 'the bot never answered after the port change' });
    expect(emulator.posts({ chatId: dm.id, creatorId: meta.botId! })[0]?.text).toMatch(/create app/);
  });
});
