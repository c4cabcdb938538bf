import { afterEach, describe, expect, it } from 'vitest';
import { appCard, cardsIn, click, register, textOf, verifies } from '../../helpers/crash-lifecycle.js';
import { startCrashWorld, type CrashWorld } from '../../helpers/crash-world.js';

let world: CrashWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Starts the bot to crash at `point`, registers Alice's app (one scope awaiting approval) and brings up its card. */
async function setUp(point: string) {
  const w = (world = await startCrashWorld());
  await w.start([point]);
  await w.install();
  const registered = await register(w, 'ReadMessages,ReadCallRecording');
  await w.emulator.waitFor(() => cardsIn(w, w.adminChatId).length === 1, { message: 'no request card' });
  return { w, ...registered, card: await appCard(w, registered.dm) };
}

async function crashed(w: CrashWorld, point: string) {
  await w.child.kill();
  expect(w.child.output()).toContain(`crashing at ${point}`);
  await w.start();
}

describe('kill -9 inside a deletion, a suspension or a hand-over', () => {
  it('after the deletion is stored: start-up writes its history, closes its request and says so on both cards', { timeout: 60_000 }, async () => {
    const { w, dm, clientId, secret, card } = await setUp('deleted:stored');
    await click(w, w.alice, card, 'Delete app…');
    const confirm = cardsIn(w, dm).at(-1)!.id;
    await click(w, w.alice, confirm, 'Delete for good').catch(() => undefined);
    await crashed(w, 'deleted:stored');
    expect(await verifies(w, clientId, secret)).toBe(401);
    const stored = await w.stored();
    expect(stored.audit.map((e) => e.event)).toContain('deleted');
    expect(stored.requests.map((r) => r.status)).toEqual(['withdrawn']);
    expect(textOf(w, cardsIn(w, w.adminChatId)[0]!.id)).toContain('Request closed: the app was deleted');
    expect(textOf(w, confirm)).toContain('Deleted: Crash Sync');
  });

  it('before the deletion is stored: nothing changed and nothing is owed', { timeout: 60_000 }, async () => {
    const { w, dm, clientId, secret, card } = await setUp('deleted:begun');
    await click(w, w.alice, card, 'Delete app…');
    await click(w, w.alice, cardsIn(w, dm).at(-1)!.id, 'Delete for good').catch(() => undefined);
    await crashed(w, 'deleted:begun');
    expect(await verifies(w, clientId, secret)).toBe(200);
    const stored = await w.stored();
    expect(stored.audit.map((e) => e.event)).not.toContain('deleted');
    expect(stored.requests.map((r) => r.status)).toEqual(['open']);
  });

  it('after a suspension is stored: start-up writes its history and tells the owner, with the reason', { timeout: 60_000 }, async () => {
    const { w, dm, clientId, secret } = await setUp('suspended:stored');
    const before = cardsIn(w, w.adminChatId).length;
    await w.emulator.post({ chatId: w.adminChatId, personId: w.dave.id, text: `![:Person](${w.botId}) app ${clientId}` });
    await w.emulator.waitFor(() => cardsIn(w, w.adminChatId).length > before, { message: 'no admin card' });
    await click(w, w.dave, cardsIn(w, w.adminChatId).at(-1)!.id, 'Suspend app', { reason: 'Leaked in a ticket.' }).catch(() => undefined);
    await crashed(w, 'suspended:stored');
    expect(await verifies(w, clientId, secret)).toBe(401);
    expect((await w.stored()).audit.map((e) => e.event)).toContain('suspended');
    const texts = w.emulator.posts({ chatId: dm, creatorId: w.botId }).map((p) => p.text ?? '');
    expect(texts.some((t) => t.includes('An admin suspended your app') && t.includes('Leaked in a ticket'))).toBe(true);
  });

  it.each([
    ['transfer:stored', 'finished: the app is the new owner\'s, the history has it and the previous owner is told'],
    ['transfer:accepting', 'reopened: the app is still the owner\'s and accepting again works'],
  ])('in a hand-over at %s: %s', { timeout: 60_000 }, async (point) => {
    const { w, dm, card } = await setUp(point);
    await click(w, w.alice, card, 'Offer the app', { newOwner: w.bob.id });
    const bobDm = (await w.emulator.directChat(w.bob.id, w.botId)).id;
    const offer = cardsIn(w, bobDm).at(-1)!.id;
    await click(w, w.bob, offer, 'Accept').catch(() => undefined);
    await crashed(w, point);
    if (point === 'transfer:accepting') {
      expect((await w.stored()).apps[0]!.ownerId).toBe(w.alice.id);
      await click(w, w.bob, offer, 'Accept');
    }
    expect((await w.stored()).apps[0]!.ownerId).toBe(w.bob.id);
    expect((await w.stored()).audit.map((e) => e.event)).toContain('transfer-accepted');
    expect(textOf(w, offer)).toContain('You now own Crash Sync');
    expect(w.emulator.posts({ chatId: dm, creatorId: w.botId }).some((p) => (p.text ?? '').includes('accepted your offer'))).toBe(true);
  });
});
