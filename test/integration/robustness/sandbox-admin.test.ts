import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/lib/logger.js';
import { startSandbox } from '../../../src/sandbox/start-sandbox.js';
import { goodBasics, inputs, submitActions } from '../../helpers/flow.js';
import { cardText, freePortRun } from '../../helpers/world.js';

let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('the sandbox admin', () => {
  it('is Ada, who can decide an approval request although RingCentral lists no team members', async () => {
    const config = loadConfig({ PORT: String(await freePortRun(2)), DATA_DIR: mkdtempSync(join(tmpdir(), 'registrar-sandbox-admin-')), LOG_LEVEL: 'silent' });
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      sandbox = await startSandbox({ config, log: createLogger({ level: 'silent' }) });
    } finally {
      process.stdout.write = write;
    }
    const { emulator, meta } = sandbox;
    const [alice, ada] = [meta.people.alice!.id, meta.people.ada!.id];
    const dm = await emulator.directChat(alice, meta.botId!);
    await emulator.post({ chatId: dm.id, personId: alice, text: 'create app' });
    const formId = await emulator.waitFor(() => emulator.cards({ chatId: dm.id })[0]?.id);
    const click = async (action: string, values: Record<string, unknown> = {}) => {
      const card = emulator.card(formId)!;
      const data = { ...inputs(card.body), ...submitActions(card.body).find((a) => a.data.action === action)!.data, ...values };
      await emulator.submit({ cardId: formId, personId: alice, data });
    };
    await click('next', { appType: 'rest-api' });
    await click('next', goodBasics);
    await click('next', { authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await click('next', { scopes: 'ReadCallRecording', justification: 'Quarterly compliance audits of call recordings.' });
    await click('next', { access: 'private', partners: '' });
    await click('next', { interactiveMessages: 'false', outboundWebhookUrl: '' });
    await click('submit');
    const request = await emulator.waitFor(() => emulator.cards({ chatId: meta.adminChatId, creatorId: meta.botId! })[0], { message: 'no request in the admin chat' });
    const approve = submitActions(request.body).find((a) => a.title === 'Approve all')!;

    const result = await emulator.submit({ cardId: request.id, personId: ada, data: approve.data });

    expect(result.dialog?.title).toBeUndefined(); // no refusal: the decision was taken
    expect(cardText(emulator.card(request.id)!.body)).toContain('Approved: every scope granted');
    expect(cardText(emulator.card(request.id)!.body)).toMatch(/Decided: .* by Ada Admin/);
  });
});
