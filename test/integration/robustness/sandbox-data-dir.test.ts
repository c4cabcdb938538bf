import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/lib/logger.js';
import { startSandbox } from '../../../src/sandbox/start-sandbox.js';
import { inputs, submitActions } from '../../helpers/flow.js';
import { cardText, freePortRun } from '../../helpers/world.js';

let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));

describe('npm start (the sandbox) after a full registration', () => {
  it('keeps the client secret and the shared secret out of DATA_DIR', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'registrar-probe-sandbox-'));
    const config = loadConfig({ PORT: String(await freePortRun(2)), DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      sandbox = await startSandbox({ config, log: createLogger({ level: 'silent' }) });
    } finally {
      process.stdout.write = write;
    }
    const { emulator, meta } = sandbox;
    const alice = meta.people.alice!.id;
    const dm = await emulator.directChat(alice, meta.botId!);
    await emulator.post({ chatId: dm.id, personId: alice, text: 'create app' });
    const formId = await emulator.waitFor(() => emulator.cards({ chatId: dm.id })[0]?.id);
    const click = async (action: string, values: Record<string, unknown> = {}) => {
      const card = emulator.card(formId)!;
      const data = { ...inputs(card.body), ...submitActions(card.body).find((a) => a.data.action === action)!.data, ...values };
      await emulator.submit({ cardId: formId, personId: alice, data });
    };
    await click('next', { appType: 'bot' });
    await click('next', { appName: 'Probe', displayName: 'Probe', iconUrl: 'https://cdn.example.com/i.png', primaryContact: 'a@b.example', promote: 'false' });
    await click('next', { scopes: 'TeamMessaging', justification: '' });
    await click('next', { access: 'private', partners: '' });
    await click('next', { interactiveMessages: 'true', outboundWebhookUrl: 'https://hooks.example.com/rc' });
    await click('submit');
    const cards = emulator.cards({ chatId: dm.id });
    const text = cardText(cards[cards.length - 1]!.body);
    const clientSecret = text.match(/rgr_cs_[0-9A-Za-z]{38}/)![0];
    const sharedSecret = text.match(/rgr_ss_[0-9A-Za-z]{46}/)![0];
    await sandbox.close(); // flushes everything to DATA_DIR
    sandbox = undefined;
    const leaking = filesUnder(dataDir).filter((f) => {
      const content = readFileSync(f, 'utf8');
      return content.includes(clientSecret) || content.includes(sharedSecret);
    });
    expect(leaking.map((f) => f.slice(dataDir.length + 1))).toEqual([]);
  });
});
