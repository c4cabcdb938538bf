import { afterEach, describe, expect, it } from 'vitest';
import { JUSTIFICATION } from '../../helpers/approvals.js';
import { flowDriver, goodBasics } from '../../helpers/flow.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const dialog = (r: { body: unknown }) => (r.body as { dialog?: { title?: string; card?: unknown } } | null)?.dialog;

describe('a registration whose approval request cannot be saved (issue 6: people are told the truth)', () => {
  it('does not say "nothing was changed" while the card shows the credentials of an app that was registered', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], faultyStore: true }));
    const dm = await w.dm(w.alice);
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.start();
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    await flow.next({ scopes: 'ReadCallLog,ReadCallRecording', justification: JUSTIFICATION });
    await flow.next({ access: 'private', partners: '' });
    await flow.next({ interactiveMessages: 'false', outboundWebhookUrl: '' });
    w.faults.add((name) => name === 'approvals'); // the disk fills up as the approval request is filed
    const answer = await flow.click('submit');
    const apps = await w.bot.registry.listByOwner(w.account.id, w.alice.id);
    const registered = apps.length === 1 && /rgr_cs_/.test(flow.text());
    expect(registered).toBe(true); // the app exists and its secret is on the card
    // ...so the person must not be told that nothing was changed.
    expect(JSON.stringify(dialog(answer) ?? {})).not.toMatch(/nothing was changed/i);
  });
});
