import { afterEach, describe, expect, it } from 'vitest';
import { cardInputs, submitActions } from '../../../src/cards/inspect-card.js';
import { crashInvariants, startCrashWorld, type CrashWorld } from '../../helpers/crash-world.js';
import { goodBasics } from '../../helpers/flow.js';
import { JUSTIFICATION } from '../../helpers/approvals.js';

let world: CrashWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('kill -9 right after an admin decides', () => {
  it('draws the decision on the requester\'s credentials card when the bot starts again', { timeout: 60_000 }, async () => {
    const w = (world = await startCrashWorld({ env: { SECRET_REVEAL_SECONDS: '2' } }));
    await w.start(['approval:decided']);
    await w.install();
    const dm = (await w.emulator.directChat(w.alice.id, w.botId)).id;
    const form = () => w.emulator.cards({ chatId: dm, creatorId: w.botId }).at(-1)!;
    const click = async (action: string, values: Record<string, unknown> = {}) => {
      const card = form();
      const data = { ...cardInputs(card.body), ...submitActions(card.body).find((a) => a.data.action === action)!.data, ...values };
      return w.emulator.submit({ cardId: card.id, personId: w.alice.id, data });
    };
    await w.emulator.post({ chatId: dm, personId: w.alice.id, text: 'create app' });
    await w.emulator.waitFor(() => w.emulator.cards({ chatId: dm, creatorId: w.botId }).length > 0, { message: 'no form card' });
    await click('next', { appType: 'rest-api' });
    await click('next', { ...goodBasics, appName: 'Crash Sync', primaryContact: w.alice.email });
    await click('next', { authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await click('next', { scopes: 'ReadMessages,ReadCallRecording', justification: JUSTIFICATION });
    await click('next', { access: 'private', partners: '' });
    await click('next', { interactiveMessages: 'false', outboundWebhookUrl: '' });
    await click('submit');
    const credentials = form().id;
    const text = () => JSON.stringify(w.emulator.card(credentials)!.body);
    // The secrets hide (2 s), still awaiting approval.
    await w.emulator.waitFor(() => !text().includes('rgr_cs_') && text().includes('Awaiting approval'), { timeoutMs: 10_000, message: 'the secrets were not hidden' });
    await w.emulator.waitFor(() => w.emulator.cards({ chatId: w.adminChatId, creatorId: w.botId }).length === 1, { message: 'no request card' });
    const request = w.emulator.cards({ chatId: w.adminChatId, creatorId: w.botId })[0]!;
    const approve = submitActions(request.body).find((a) => a.title === 'Approve all')!;
    await w.emulator.submit({ cardId: request.id, personId: w.dave.id, data: approve.data }).catch(() => undefined); // the bot dies here
    await w.child.kill();
    expect(w.child.output()).toContain('crashing at approval:decided');
    expect(text()).toContain('Awaiting approval'); // nothing of the decision was drawn before the kill
    await w.start();
    await w.emulator.waitFor(() => text().includes('Approved by an admin'), { timeoutMs: 20_000, message: 'the credentials card was not updated after the restart' });
    expect(text()).not.toContain('Awaiting approval');
    expect(await crashInvariants(w)).toEqual([]);
  });
});
