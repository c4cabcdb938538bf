import { flowCard, type ViewContext } from '../conversation/views.js';
import type { Flow } from '../conversation/flow.js';
import type { AppRecord, AppRegistry } from '../registry/app-records.js';
import type { AppDraft } from '../registry/fields.js';
import type { Collection } from '../store/store.js';
import type { TurnContext } from '../bot/context.js';
import { credentialsCard } from './credentials-card.js';
import { OutboxDelayedError, type Outbox } from '../delivery/outbox.js';

/**
 * Where a secret's reveal ends: the card showing it, and when it is hidden. Keyed by card and app
 * (`revealKey`): an undone attempt and the next one on the same card never touch each other's.
 */
export const revealKey = (cardId: string, clientId: string) => `${cardId}:${clientId}`;

/** The outbox key of the card change that shows a registration's credentials. */
export const showKey = (cardId: string, clientId: string) => `show:${revealKey(cardId, clientId)}`;

/** How long after an undo the form is drawn again: a timed-out update showing the secret may land late. */
export const REDRAW_AFTER_MS = 60_000;

export interface Reveal {
  cardId: string;
  accountId: string;
  clientId: string;
  hideAt: number;
  hidden: boolean;
  /** Set for a rotated secret's card (src/lifecycle/): which secret it shows, so it hides as its own card. */
  rotation?: { kind: 'client' | 'shared'; entryId: string; last4: string };
}

/** The registration could not finish and was undone (or will be, by recovery): nothing is registered. */
export class RegistrationUndone extends Error {
  readonly code = 'REGISTRATION_UNDONE';
  constructor(cause: unknown) {
    super('the registration could not finish and was undone', { cause });
  }
}

export interface IssuerOptions {
  flows: Collection<Flow>;
  reveals: Collection<Reveal>;
  registry: AppRegistry;
  now: () => number;
  viewCtx: (botId: string) => ViewContext;
  /**
   * Files the approval requests for an app's pending scopes and its public review; must be idempotent (it is also how a crash
   * is finished). `credentialsCardId` is the card showing the credentials, which the decision updates.
   */
  onRegistered: (ctx: TurnContext, app: AppRecord, credentialsCardId: string) => Promise<void>;
  checkpoint: (name: string) => void;
  /** Where the credentials card waits to be shown (src/delivery/outbox.ts). */
  outbox?: Outbox | undefined;
}

export const UNDONE_NOTICE = 'Registering the app did not finish, so nothing was registered and no secret shown is valid. Please submit again.';

export const SHOW_DELAYED_NOTICE =
  'Your app is registered, but RingCentral would not take the card with its credentials just now. It is stored and will appear on the form above as soon as RingCentral takes it; you need not submit again.';
export const SHOW_FAILED_NOTICE =
  'Your app is registered, but RingCentral refused the card with its credentials, so its secret could not be shown. Type **my apps** and use **Rotate client secret** on it to get a secret you can see.';

/**
 * Issuing an app's credentials as one all-or-nothing change across the store and RingCentral.
 *
 * The steps, each safe to interrupt:
 * 1. (caller) the flow is stored as 'registering' with the client ID it will get;
 * 2. the app is stored in status 'issuing' (it authorises nothing) and its reveal is recorded;
 * 3. the change of the form card that shows the secrets is stored in the outbox, sealed, not sent
 *    (the card's id is known, so nothing is ever left on a card nobody can find);
 * 4. the app becomes 'active': the commit point, after which the registration is finished forward,
 *    and the outbox owes the credentials message: a crash or an outage delays it, never loses it;
 * 5. the card change is sent; the approval request for pending scopes is filed, then the flow is
 *    marked 'submitted'.
 * Before 4, any failure (or a crash, found at start-up) takes the queued card change back, undoes
 * 2 and puts the form back at the review with a notice. (Without an outbox, the card is updated
 * at 3 and the undo's own card update overwrites any secret that was shown.)
 *
 * @example
 *   const issuer = createIssuer({ flows, reveals, registry, now, viewCtx, onRegistered, checkpoint });
 *   await issuer.issue(ctx, registeringFlow, draft); // throws RegistrationUndone when it undid the attempt
 *   await issuer.recover(ctx, flow);                  // at start-up, for each flow still 'registering'
 */
export function createIssuer({ flows, reveals, registry, now, viewCtx, onRegistered, checkpoint, outbox }: IssuerOptions) {
  async function issue(ctx: TurnContext, flow: Flow, draft: AppDraft): Promise<void> {
    const { clientId, hideAt } = flow.issuing!;
    const cardId = flow.cardId!;
    const key = showKey(cardId, clientId);
    try {
      const issued = await registry.create({ draft, accountId: flow.accountId, ownerId: flow.ownerId, now: now(), clientId });
      checkpoint('issue:created');
      await reveals.put(revealKey(cardId, clientId), { cardId, accountId: flow.accountId, clientId, hideAt, hidden: false });
      checkpoint('issue:reveal-stored');
      const card = credentialsCard(issued, hideAt, now());
      if (outbox) {
        await outbox.enqueue({ accountId: flow.accountId, key, op: 'updateCard', target: cardId, chatId: flow.chatId, payload: card });
        checkpoint('issue:queued');
      } else {
        await ctx.client.updateCard(cardId, card);
        checkpoint('issue:shown');
      }
      if (!(await registry.activate(clientId, now()))) throw new Error('the app vanished while it was being issued');
    } catch (err) {
      ctx.log.error('registration failed; undoing it', { flowId: flow.id, err });
      await undo(ctx, flow).catch((undoErr: unknown) => ctx.log.error('undoing the registration failed; start-up or the sweep will', { flowId: flow.id, err: undoErr }));
      throw new RegistrationUndone(err);
    }
    checkpoint('issue:activated');
    ctx.log.info('app registered', { flowId: flow.id, clientId });
    ctx.services.metrics.flowsCompleted.inc({ flow: 'registration' });
    if (outbox) await show(ctx, flow, key);
    // Registered and shown: whatever fails from here is finished by the sweep, never reported as a failure.
    await finish(ctx, flow).catch((err: unknown) => ctx.log.error('finishing a registration failed; the sweep will', { flowId: flow.id, clientId, err }));
  }

  /** Sends the queued credentials card. Past the commit point a failure delays or loses only the card, never the app. */
  async function show(ctx: TurnContext, flow: Flow, key: string): Promise<void> {
    try {
      await outbox!.deliver(key);
      checkpoint('issue:shown');
    } catch (err) {
      const delayed = err instanceof OutboxDelayedError;
      ctx.log.error(delayed ? 'the credentials card is delayed; the outbox will send it' : 'the credentials card was refused', { flowId: flow.id, err });
      await ctx.client.postText(flow.chatId, delayed ? SHOW_DELAYED_NOTICE : SHOW_FAILED_NOTICE).catch(() => undefined);
    }
  }

  /** After the commit point: file the approval request, then close the flow. Safe to run again. */
  async function finish(ctx: TurnContext, flow: Flow): Promise<void> {
    const clientId = flow.issuing!.clientId;
    const app = await registry.get(clientId);
    // Scopes waiting for approval, and a public app's review, go to the admins.
    if (app?.status === 'active' && (app.pendingScopes.length > 0 || app.publicReview?.status === 'pending')) await onRegistered(ctx, app, flow.cardId!);
    checkpoint('issue:filed');
    await flows.update(flow.id, (cur) =>
      cur?.status === 'registering' ? { ...cur, status: 'submitted', clientId, issuing: null, cardVersion: cur.version, updatedAt: now() } : undefined,
    );
  }

  /** Before the commit point: remove what was stored and put the form back at the review. */
  async function undo(ctx: TurnContext, flow: Flow): Promise<void> {
    const { clientId } = flow.issuing!;
    const cardId = flow.cardId!;
    // The queued credentials card is taken back before anything else: it must never go out for an undone app.
    await outbox?.cancel(showKey(cardId, clientId));
    // The reveal goes first: if the app went first and we stopped, the hider would later draw over the form.
    await reveals.delete(revealKey(cardId, clientId));
    await registry.discard(clientId);
    // The card is drawn now and once more later: an update that showed the secret may still land.
    const { after } = await flows.update(flow.id, (cur) =>
      cur?.status === 'registering' && cur.issuing?.clientId === clientId
        ? { ...cur, status: 'active', step: 'review', issuing: null, version: cur.version + 1, notice: UNDONE_NOTICE, updatedAt: now(), redrawAt: now() + REDRAW_AFTER_MS }
        : undefined,
    );
    if (after?.status !== 'active') return;
    checkpoint('undo:stored');
    await ctx.client.updateCard(cardId, flowCard(after, viewCtx(ctx.installation.botId)));
    await flows.update(flow.id, (cur) => (cur?.version === after.version ? { ...cur, cardVersion: after.version } : undefined));
  }

  /** A flow found 'registering' with nobody working on it (a crash): finish it forward or undo it. */
  async function recover(ctx: TurnContext, flow: Flow): Promise<'finished' | 'undone'> {
    if (flow.status !== 'registering' || !flow.issuing || !flow.cardId) throw new Error('not a registering flow');
    const app = await registry.get(flow.issuing.clientId);
    if (app?.status === 'active') {
      await finish(ctx, flow);
      return 'finished';
    }
    await undo(ctx, flow);
    return 'undone';
  }

  return { issue, recover };
}

