import { afterEach, describe, expect, it } from 'vitest';
import { cardInputs, cardText, submitActions } from '../../src/cards/inspect-card.js';
import type { Person } from '../../src/emulator/model.js';
import { crashInvariants, startCrashWorld, type CrashWorld, type CrashWorldOptions } from './crash-world.js';
import { goodBasics } from './flow.js';

export const cardsIn = (w: CrashWorld, chatId: string) => w.emulator.cards({ chatId, creatorId: w.botId });
export const textOf = (w: CrashWorld, cardId: string) => cardText(w.emulator.card(cardId)!.body);

export async function click(w: CrashWorld, person: Person, cardId: string, title: string, values: Record<string, unknown> = {}) {
  const body = w.emulator.card(cardId)!.body;
  const data = { ...cardInputs(body), ...submitActions(body).find((a) => a.title === title || a.data.action === title)!.data, ...values };
  return w.emulator.submit({ cardId, personId: person.id, data });
}

/** Registers "Crash Sync" (ReadMessages only, unless `scopes` says) for Alice; returns her direct chat, the app's client ID and its secret. */
export async function register(w: CrashWorld, scopes = 'ReadMessages') {
  const dm = await w.emulator.directChat(w.alice.id, w.botId);
  await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'create app' });
  await w.emulator.waitFor(() => cardsIn(w, dm.id).length > 0, { message: 'no form card' });
  const form = cardsIn(w, dm.id)[0]!.id;
  for (const values of [
    { appType: 'rest-api' },
    { ...goodBasics, appName: 'Crash Sync', primaryContact: w.alice.email },
    { authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' },
    { scopes, justification: scopes === 'ReadMessages' ? '' : 'We archive call recordings for compliance audits every quarter.' },
    { access: 'private', partners: '' },
    { interactiveMessages: 'false', outboundWebhookUrl: '' },
  ]) await click(w, w.alice, form, 'next', values);
  await click(w, w.alice, form, 'submit');
  const text = textOf(w, form);
  return { dm: dm.id, clientId: /Client ID\n([0-9A-Za-z]{22})/.exec(text)![1]!, secret: /rgr_cs_[0-9A-Za-z]{38}/.exec(text)![0] };
}

export async function appCard(w: CrashWorld, dm: string) {
  const before = cardsIn(w, dm).length;
  await w.emulator.post({ chatId: dm, personId: w.alice.id, text: 'app Crash Sync' });
  await w.emulator.waitFor(() => cardsIn(w, dm).length > before, { message: 'no app card' });
  return cardsIn(w, dm).at(-1)!.id;
}

export const verifies = async (w: CrashWorld, clientId: string, secret: string) =>
  (await fetch(`${w.url}/registry/clients/${clientId}`, { headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` } })).status;

/** kill -9 inside a rotation at each step, on lowdb or (with `options`) PostgreSQL: test/integration/lifecycle/crash-rotation*.test.ts. */
export function rotationCrashSuite(storeName: string, options: () => Promise<CrashWorldOptions> = async () => ({})) {
  let world: CrashWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  describe(`kill -9 inside a rotation (${storeName})`, () => {
    it.each(['rotate:stored', 'rotate:shown'])('at %s: nothing changed, the card says so, the old secret works and rotating again works', { timeout: 60_000 }, async (point) => {
      const w = (world = await startCrashWorld(await options()));
      await w.start([point]);
      await w.install();
      const { dm, clientId, secret } = await register(w);
      const card = await appCard(w, dm);
      const before = cardsIn(w, dm).length;
      await click(w, w.alice, card, 'Rotate client secret').catch(() => undefined); // the bot dies while answering
      await w.child.kill();
      expect(w.child.output()).toContain(`crashing at ${point}`);
      const rotationCard = cardsIn(w, dm)[before]!.id;
      await w.start();
      expect(textOf(w, rotationCard)).toContain('The client secret was not rotated');
      expect(textOf(w, rotationCard)).not.toMatch(/rgr_cs_/);
      expect(await verifies(w, clientId, secret)).toBe(200);
      // A secret the card showed before the crash was never valid, and is not now.
      const shown = w.emulator.card(rotationCard)!.versions.map((v) => /rgr_cs_[0-9A-Za-z]{38}/.exec(cardText(v.body))?.[0]).find(Boolean);
      if (point === 'rotate:shown') expect(shown).toBeDefined();
      if (shown) expect(await verifies(w, clientId, shown)).toBe(401);
      const [app] = (await w.stored()).apps;
      expect(app!.clientSecrets!.map((e) => Boolean(e.issuing))).toEqual([false]);
      expect((await w.stored()).rotations).toEqual([]);
      expect(await crashInvariants(w)).toEqual([]);
      await click(w, w.alice, await appCard(w, dm), 'Rotate client secret');
      const fresh = /rgr_cs_[0-9A-Za-z]{38}/.exec(textOf(w, cardsIn(w, dm).at(-1)!.id))![0];
      expect(await verifies(w, clientId, fresh)).toBe(200);
      expect(await verifies(w, clientId, secret)).toBe(200); // in its grace period
    });

    it('after the new secret went live: finished forward, both secrets work and the history has it', { timeout: 60_000 }, async () => {
      const w = (world = await startCrashWorld(await options()));
      await w.start(['rotate:completed']);
      await w.install();
      const { dm, clientId, secret } = await register(w);
      const card = await appCard(w, dm);
      const before = cardsIn(w, dm).length;
      await click(w, w.alice, card, 'Rotate client secret').catch(() => undefined);
      await w.child.kill();
      expect(w.child.output()).toContain('crashing at rotate:completed');
      await w.start();
      const fresh = /rgr_cs_[0-9A-Za-z]{38}/.exec(textOf(w, cardsIn(w, dm)[before]!.id))![0];
      expect(await verifies(w, clientId, fresh)).toBe(200);
      expect(await verifies(w, clientId, secret)).toBe(200);
      expect((await w.stored()).rotations).toEqual([]);
      expect((await w.stored()).audit.map((e) => e.event)).toContain('secret-rotated');
    });
  });
}
