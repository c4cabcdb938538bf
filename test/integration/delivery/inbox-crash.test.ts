import { afterEach, describe, expect, it } from 'vitest';
import { submitActions } from '../../../src/cards/inspect-card.js';
import { startCrashWorld, type CrashWorld } from '../../helpers/crash-world.js';

let world: CrashWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const settle = () => new Promise((r) => setTimeout(r, 1500));

describe('the inbox: what RingCentral handed over survives a kill -9', () => {
  it('handles after a restart a message that was acknowledged just before the crash, and answers it once', { timeout: 60_000 }, async () => {
    const w = (world = await startCrashWorld());
    await w.start(['inbox:acknowledged:PostAdded']);
    await w.install();
    const dm = await w.emulator.directChat(w.alice.id, w.botId);
    const post = await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'help' });
    await w.child.waitFor('crashing at inbox:acknowledged:PostAdded');
    await w.child.kill(); // dead already: this waits for the exit
    // RingCentral got its 200, so it will never send this post again.
    const delivery = w.emulator.deliveries.find((d) => JSON.stringify(d.envelope).includes(`"id":"${post.id}"`));
    expect(delivery?.status).toBe(200);
    const replies = () => w.emulator.posts({ chatId: dm.id, creatorId: w.botId });
    expect(replies()).toHaveLength(0);
    await w.start();
    await w.emulator.waitFor(() => replies().length > 0, { message: 'the acknowledged message was never answered' });
    await settle();
    expect(replies()).toHaveLength(1);
    expect(replies()[0]!.text).toMatch(/create app/);
  });

  it('finishes after a restart a click stored before the crash, and the form moves on once', { timeout: 60_000 }, async () => {
    const w = (world = await startCrashWorld());
    await w.start(['inbox:stored:submit']);
    await w.install();
    const dm = await w.emulator.directChat(w.alice.id, w.botId);
    await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'create app' });
    await w.emulator.waitFor(() => w.emulator.cards({ chatId: dm.id, creatorId: w.botId }).length === 1, { message: 'no form card' });
    const card = w.emulator.cards({ chatId: dm.id, creatorId: w.botId })[0]!;
    await settle(); // a person reads the card before clicking: the "create app" turn has finished by then
    const next = submitActions(card.body).find((a) => a.data.action === 'next')!;
    await w.emulator.submit({ cardId: card.id, personId: w.alice.id, data: { ...next.data, appType: 'bot' } }).catch(() => undefined);
    await w.child.waitFor('crashing at inbox:stored:submit');
    await w.child.kill();
    expect(JSON.stringify(w.emulator.card(card.id)!.body)).not.toMatch(/Step 2/);
    await w.start();
    await w.emulator.waitFor(() => /Step 2/.test(JSON.stringify(w.emulator.card(card.id)!.body)), { message: 'the stored click was never handled' }).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${w.child.output().slice(-3000)}`);
    });
    await settle();
    // One step forward (the card may be drawn twice, by the click and by the start-up redraw, always alike).
    const steps = w.emulator.card(card.id)!.versions.filter((v) => /Step 2/.test(JSON.stringify(v.body)));
    expect(new Set(steps.map((v) => JSON.stringify(v.body))).size).toBe(1);
    expect(JSON.stringify(w.emulator.card(card.id)!.body)).not.toMatch(/Step 3/);
    expect(w.emulator.cards({ chatId: dm.id, creatorId: w.botId })).toHaveLength(1);
  });

  it('does not store or answer twice a delivery RingCentral sends again with the same id', { timeout: 60_000 }, async () => {
    const w = (world = await startCrashWorld());
    await w.start();
    await w.install();
    const dm = await w.emulator.directChat(w.alice.id, w.botId);
    await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'help' });
    await w.emulator.waitFor(() => w.emulator.posts({ chatId: dm.id, creatorId: w.botId }).length === 1, { message: 'no answer' });
    const first = w.emulator.deliveries.find((d) => d.eventType === 'PostAdded' && JSON.stringify(d.envelope).includes('"text":"help"'))!;
    const again = await fetch(first.address!, { method: 'POST', headers: { 'content-type': 'application/json', 'verification-token': subscriptionToken(w) }, body: JSON.stringify(first.envelope) });
    expect(again.status).toBe(200);
    await settle();
    expect(w.emulator.posts({ chatId: dm.id, creatorId: w.botId })).toHaveLength(1);
  });
});

/** The verification token the bot gave RingCentral when it subscribed (the emulator keeps it). */
function subscriptionToken(w: CrashWorld): string {
  return w.emulator.subscriptions({ botId: w.botId }).find((s) => s.status === 'Active')!.verificationToken!;
}
