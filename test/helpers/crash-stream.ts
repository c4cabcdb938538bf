import { expect } from 'vitest';
import { cardInputs, submitActions } from '../../src/cards/inspect-card.js';
import type { Person } from '../../src/emulator/model.js';
import { JUSTIFICATION } from './approvals.js';
import { crashInvariants, type CrashWorld } from './crash-world.js';
import { goodBasics } from './flow.js';

export const KILLS = 50;
const MIN_REGISTERED = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Registrations (with a scope that needs approval) one after another for one person, until
 * `stopped()`; every step may fail because the bot was killed under it, and the stream simply
 * starts over with a new form.
 */
async function stream(w: CrashWorld, person: Person, stopped: () => boolean, counter: { attempts: number; submits: number }) {
  const formOf = (chatId: string) => w.emulator.cards({ chatId, creatorId: w.botId }).filter((c) => submitActions(c.body).some((a) => typeof a.data.flowId === 'string')).at(-1);
  while (!stopped()) {
    const name = `Stream App ${++counter.attempts}`;
    try {
      const dm = await w.emulator.directChat(person.id, w.botId);
      const open = async () => {
        const before = formOf(dm.id)?.id;
        await w.emulator.post({ chatId: dm.id, personId: person.id, text: 'create app' });
        await w.emulator.waitFor(() => formOf(dm.id)?.id !== before && formOf(dm.id), { timeoutMs: 1500 });
      };
      const click = async (action: string, values: Record<string, unknown> = {}) => {
        const card = formOf(dm.id)!;
        const button = submitActions(card.body).find((a) => a.data.action === action);
        if (!button) throw new Error(`no ${action} button`);
        const r = await w.emulator.submit({ cardId: card.id, personId: person.id, data: { ...cardInputs(card.body), ...button.data, ...values } });
        if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
      };
      await open();
      // A form left half way by an earlier kill comes back where it was: drop it and start afresh.
      if (!/Step 1 of/.test(JSON.stringify(formOf(dm.id)!.body))) {
        await click('cancel');
        await open();
      }
      await click('next', { appType: 'rest-api' });
      await click('next', { ...goodBasics, appName: name, primaryContact: person.email });
      await click('next', { authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
      await click('next', { scopes: 'ReadMessages,ReadCallRecording', justification: JUSTIFICATION });
      await click('next', { access: 'private', partners: '' });
      await click('next', { interactiveMessages: 'false', outboundWebhookUrl: '' });
      counter.submits++;
      await click('submit');
    } catch {
      if (!stopped()) await sleep(20); // the bot is down (or behind): start over with a new form
    }
  }
}

/**
 * At least KILLS kills at random moments under three streams of registrations, the bot restarted
 * after each; after every restart the store loads and crashInvariants holds (nothing half done,
 * every registration whose credentials were shown is there). Runs on until enough registered.
 */
export async function killUnderStream(w: CrashWorld, label: string) {
    await w.start();
    await w.install();
    // RingCentral answers in tens of milliseconds, as over a network: multi-step work takes time to cut into.
    w.emulator.failNext(1_000_000, { delayMs: 15 });
    const counter = { attempts: 0, submits: 0 };
    // At least KILLS kills, and on until the stream has registered enough to show it did real work
    // between them (a loaded machine makes each window do less); bounded either way.
    let kill = 0;
    const registered = async () => (await w.stored()).apps.length;
    while ((kill < KILLS || (await registered()) < MIN_REGISTERED) && kill < KILLS * 3) {
      kill++;
      let stop = false;
      const running = Promise.all([w.alice, w.bob, w.carol].map((p) => stream(w, p, () => stop, counter)));
      await sleep(200 + Math.random() * 1800);
      await w.kill();
      stop = true;
      await running;
      await w.start(); // the store loads, and start-up finishes or undoes what the kill interrupted
      const problems = await crashInvariants(w);
      expect(problems, `after kill ${kill}`).toEqual([]);
    }
    const { apps } = await w.stored();
    process.stdout.write(`crash stream (${label}): ${kill} kills, ${counter.attempts} attempts, ${counter.submits} submits, ${apps.length} apps registered\n`);
    // The stream did real work between the kills: registrations finished, and some were cut.
    expect(kill).toBeGreaterThanOrEqual(KILLS);
    expect(apps.length).toBeGreaterThanOrEqual(MIN_REGISTERED);
    expect(counter.submits).toBeGreaterThan(apps.length);
}
