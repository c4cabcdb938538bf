import type { Services } from '../bot/context.js';
import { clientSecretsOf, sharedSecretsOf, type AppRegistry } from '../registry/app-records.js';
import { rotatedSecretHiddenCard } from '../lifecycle/secret-cards.js';
import type { Collection } from '../store/store.js';
import type { ApprovalRequest } from '../approvals/approval-request.js';
import { hiddenCredentialsCard, lastScopeDecision } from './credentials-card.js';
import { showKey, revealKey, type Reveal } from './issue-app.js';

/**
 * Hides secrets when their time is up, on its own timer and never behind other work: a card that
 * shows a secret is the one thing that must not wait for reminders or renewals. Due reveals are
 * hidden side by side (a few at a time), and one that fails is tried again on the next tick.
 *
 * @example
 *   const hider = createRevealHider({ services, registry, reveals, everyMs: 1000 });
 *   hider.start(); ... await hider.stop();
 */
export interface RevealHider {
  /** Hides every reveal due now; resolves when they were tried. */
  hideDue(): Promise<void>;
  start(): void;
  /** Stops the timer; a pass under way carries on (it is tracked as work in flight). */
  stop(): Promise<void>;
}

const PARALLEL = 4;

export interface RevealHiderOptions {
  services: Services;
  registry: AppRegistry;
  reveals: Collection<Reveal>;
  everyMs?: number;
  /** Registers a pass as work in flight, so shutdown waits for it within its bound (and no longer). */
  track?: <T>(work: Promise<T>) => Promise<T>;
}

export function createRevealHider({ services, registry, reveals, everyMs = 1000, track = (w) => w }: RevealHiderOptions): RevealHider {
  const { clock, installations, log } = services;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  // Read only: the hidden card says what became of the app's scope request, as the decision draws it.
  const requests = services.store.collection<ApprovalRequest>('approvals');

  async function hideOne(reveal: Reveal): Promise<void> {
    const app = await registry.get(reveal.clientId);
    if (app?.status === 'issuing') return; // a registration still in progress or being recovered decides this card
    const rotation = reveal.rotation;
    // A rotation still in progress or being recovered decides its card, as a registration does.
    if (app && rotation && (rotation.kind === 'client' ? clientSecretsOf(app) : sharedSecretsOf(app)).some((e) => e.id === rotation.entryId && e.issuing)) return;
    // A credentials card still waiting in the outbox must not appear after its hiding time: it is taken back.
    const show = rotation ? 'absent' : await services.outbox?.cancel(showKey(reveal.cardId, reveal.clientId));
    if (show === 'cancelled') services.log.warn('a credentials card was never shown before its hiding time; it was taken back', { clientId: reveal.clientId });
    // On its way right now: it may land after anything drawn now, so the reveal waits for the next round.
    if (show === 'sending') return;
    if (app) {
      const installation = await installations.get(reveal.accountId);
      if (installation) {
        const card = rotation
          ? rotatedSecretHiddenCard(app, rotation)
          : hiddenCredentialsCard(app, { botId: installation.botId, graceHours: services.config.rotationGraceHours }, lastScopeDecision(await requests.find('client', app.clientId)));
        await (await installations.client(installation)).updateCard(reveal.cardId, card);
      }
    }
    // Spent (or its registration was undone and the form is back on the card): only this reveal's
    // own record goes, never another attempt's on the same card.
    await forget(reveal);
  }

  async function forget(reveal: Reveal) {
    if (await reveals.delete(revealKey(reveal.cardId, reveal.clientId))) return;
    // Records from before reveals were keyed by card and app are keyed by card alone.
    await reveals.update(reveal.cardId, (cur) => (cur?.clientId === reveal.clientId ? { ...cur, hidden: true } : undefined));
  }

  async function run(): Promise<void> {
    const now = clock.now();
    const due = await reveals.due('hideAt', now);
    for (let i = 0; i < due.length; i += PARALLEL) {
      await Promise.all(
        due.slice(i, i + PARALLEL).map((r) => hideOne(r).catch((err: unknown) => log.error('hiding a secret card failed; will retry', { cardId: r.cardId, err }))),
      );
    }
  }

  // One pass at a time: a tick that finds a pass still running waits for it instead of doubling it.
  // Across instances sharing a store, one hides at a time (the others find the work taken).
  const hideDue = () => (running ??= track(services.store.exclusive('hide-secrets', run).then(() => undefined)).finally(() => (running = undefined)));

  return {
    hideDue,
    start() {
      timer ??= setInterval(() => void hideDue(), everyMs);
      timer.unref();
    },
    async stop() {
      // A pass under way is work in flight: shutdown's bounded drain waits for it, not this.
      clearInterval(timer);
      timer = undefined;
    },
  };
}
