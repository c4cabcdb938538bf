import type { Services } from '../bot/context.js';
import { hiddenCredentialsCard, lastScopeDecision } from '../registration/credentials-card.js';
import { revealKey, type Reveal } from '../registration/issue-app.js';
import { personName } from '../bot/person-name.js';
import { namedLock } from '../store/named-lock.js';
import type { ChatClient } from '../platform/chat-client.js';
import type { Installation } from '../platform/installations.js';
import { RingCentralError } from '../platform/rc-client.js';
import { holdsName, type AppRegistry } from '../registry/app-records.js';
import type { Collection } from '../store/store.js';
import { isPublicReview, outcomeOf, type ApprovalRequest, type Effect } from './approval-request.js';
import { publicOutcomeCard, publicStatusCard } from './public-review-views.js';
import { outcomeCard, statusCard } from './approval-views.js';
import type { AuditLog } from './audit-log.js';

/**
 * What a change of a request's state still owes the rest of the world. The state change itself is
 * one conditional store update that also lists its effects (`ApprovalRequest.effects`); each effect
 * is then carried out and crossed off. A crash or a failing disk or RingCentral leaves the rest
 * listed, and the sweep (at start-up too) finishes them: a decision is never half applied.
 *
 * - app: the app's scopes follow the request (granted and no longer pending once decided; no
 *   longer pending once expired; pending again when asked again);
 * - audit: the history entry (written once per request and state);
 * - card: the admin card shows the outcome;
 * - requester: the requester is told the outcome;
 * - credentials: the requester's credentials card (its id kept with the request) is drawn again, so
 *   "Awaiting approval" there turns into the outcome. While that card still shows the secrets it is
 *   left alone (they cannot be drawn again) and the effect waits: the hider draws the hidden card,
 *   outcome included, and the next sweep draws it once more in case the hider read the app too early.
 *
 * @example
 *   await requests.update(id, (cur) => ({ ...cur, status: 'decided', decision, effects: DECIDED_EFFECTS }));
 *   await followUps.settle(installation, client, id);
 */
export const SETTLED_EFFECTS: readonly Effect[] = ['app', 'audit', 'card', 'requester', 'credentials'];

/** Returned by an effect that cannot be done yet (not a failure): it stays listed for the next sweep. */
const NOT_YET = Symbol('not yet');

const HOPELESS = new Set([400, 403, 404, 410, 422]);

export function createFollowUps({ services, registry, requests, audit }: { services: Services; registry: AppRegistry; requests: Collection<ApprovalRequest>; audit: AuditLog }) {
  const { log, installations } = services;
  const reveals = services.store.collection<Reveal>('reveals');

  /** Whether the card still shows the app's secrets (records from before reveals were keyed by card and app are keyed by card). */
  async function showsSecrets(cardId: string, clientId: string): Promise<boolean> {
    const reveal = (await reveals.get(revealKey(cardId, clientId))) ?? (await reveals.get(cardId));
    return reveal?.clientId === clientId && !reveal.hidden;
  }

  async function redrawCredentials(r: ApprovalRequest, installation: Installation, client: ChatClient): Promise<typeof NOT_YET | undefined> {
    if (!r.credentialsCardId || isPublicReview(r)) return undefined; // filed before the card's id was kept; a review changes no scope
    const app = await registry.get(r.clientId);
    if (app?.status !== 'active') return undefined;
    if (await showsSecrets(r.credentialsCardId, r.clientId)) return NOT_YET;
    // Drawn from what is stored now (this request's scopes already applied), not from r alone: a
    // later request of the same app may have been filed meanwhile.
    await client.updateCard(r.credentialsCardId, hiddenCredentialsCard(app, { botId: installation.botId, graceHours: services.config.rotationGraceHours }, lastScopeDecision(await requests.find('client', r.clientId))));
    return undefined;
  }

  async function applyToApp(r: ApprovalRequest) {
    const now = new Date(services.clock.now()).toISOString();
    if (isPublicReview(r)) {
      // Only a decision, only onto the hold it was asked for (an app made private, or public again
      // since, is not this review's); expiry and withdrawal leave the app as it is.
      const d = r.decision;
      if (r.status !== 'decided' || !d) return;
      await registry.update(r.clientId, (app) =>
        holdsName(app) && app.access === 'public' && app.publicReview?.status === 'pending' && Date.parse(app.publicReview.at) <= r.requestedAt
          ? { ...app, publicReview: { status: d.goesPublic ? 'approved' : 'rejected', at: new Date(d.at).toISOString(), by: d.by, reason: d.reason }, updatedAt: now }
          : undefined,
      );
      return;
    }
    await registry.update(r.clientId, (app) => {
      if (r.status === 'open') return { ...app, pendingScopes: [...new Set([...app.pendingScopes, ...r.scopes.filter((s) => !app.grantedScopes.includes(s))])], updatedAt: now };
      // Only what the app still waits for: a scope its owner removed meanwhile (an edit) is not granted.
      // A deleted app gains nothing, whatever a decision that raced its deletion says.
      const approved = r.status === 'decided' && r.decision && holdsName(app) ? r.decision.approved.filter((s) => app.pendingScopes.includes(s)) : [];
      return { ...app, grantedScopes: [...new Set([...app.grantedScopes, ...approved])], pendingScopes: app.pendingScopes.filter((s) => !r.scopes.includes(s)), updatedAt: now };
    });
  }

  async function writeHistory(r: ApprovalRequest) {
    if (r.status === 'open') return;
    const key = `${r.id}:${r.status}`;
    if (isPublicReview(r)) {
      const d = r.decision;
      if (r.status === 'withdrawn') return;
      const event = r.status === 'expired' || !d ? 'public-review-expired' : d.goesPublic ? 'public-approved' : 'public-rejected';
      await audit.append({ event, clientId: r.clientId, appName: r.appName, requestId: r.id, actorId: d?.by ?? null, subjectId: r.requesterId, scopes: [], reason: d?.reason ?? null }, key);
      return;
    }
    if (r.status === 'expired' || !r.decision) {
      await audit.append({ event: 'expired', clientId: r.clientId, appName: r.appName, requestId: r.id, actorId: null, scopes: r.scopes, reason: null }, key);
      return;
    }
    const d = r.decision;
    await audit.append({ event: outcomeOf(d), clientId: r.clientId, appName: r.appName, requestId: r.id, actorId: d.by, scopes: d.approved, rejected: d.rejected, reason: d.reason }, key);
  }

  async function run(effect: Effect, r: ApprovalRequest, installation: Installation, client: ChatClient): Promise<typeof NOT_YET | undefined> {
    switch (effect) {
      case 'credentials':
        return redrawCredentials(r, installation, client);
      case 'app':
        await applyToApp(r);
        return undefined;
      case 'audit':
        await writeHistory(r);
        return undefined;
      case 'card': {
        if (r.status === 'open' || !r.cardId) return;
        const deciderName = r.decision ? await personName(client, r.decision.by) : undefined;
        const names = { requesterName: await personName(client, r.requesterId), ...(deciderName ? { deciderName } : {}) };
        await client.updateCard(r.cardId, isPublicReview(r) ? publicStatusCard(r, names) : statusCard(r, names));
        return;
      }
      case 'requester': {
        if (r.status === 'open') return;
        const deciderName = r.decision ? await personName(client, r.decision.by) : undefined;
        const app = await registry.get(r.clientId);
        // The app may have changed hands since it asked: the news goes to whoever owns it now.
        const chatId = await client.openDirect(app && holdsName(app) ? app.ownerId : r.requesterId);
        const hasScopes = (app?.grantedScopes.length ?? 0) > 0;
        if (isPublicReview(r)) {
          if (r.status === 'withdrawn') return; // the owner closed it themselves (made the app private)
          await client.postCard(chatId, publicOutcomeCard(r, { botId: installation.botId, ...(deciderName ? { deciderName } : {}) }));
          return;
        }
        await client.postCard(chatId, outcomeCard(r, { botId: installation.botId, hasScopes, ...(deciderName ? { deciderName } : {}) }));
        return;
      }
    }
  }

  // One runner per request: a sweep that comes round while a decision is still being told must
  // not tell it again.
  const lock = namedLock(services.store, 'request');

  /** Carries out what request `id` still owes; what fails stays listed for the next sweep. */
  function settle(installation: Installation, client: ChatClient, id: string): Promise<void> {
    return lock.run(id, () => settleNow(installation, client, id));
  }

  async function settleNow(installation: Installation, client: ChatClient, id: string): Promise<void> {
    const r = await requests.get(id);
    if (!r?.effects?.length) return;
    // Store effects first, in order; then the card and the requester, independently of each other.
    const store = r.effects.filter((e) => e === 'app' || e === 'audit');
    const told = r.effects.filter((e) => e === 'card' || e === 'requester' || e === 'credentials');
    const done = async (effect: Effect) => {
      await requests.update(id, (cur) => (cur?.effects?.includes(effect) ? { ...cur, effects: cur.effects.filter((e) => e !== effect) } : undefined));
    };
    for (const effect of store) {
      await run(effect, r, installation, client);
      await done(effect);
    }
    await Promise.all(
      told.map(async (effect) => {
        try {
          if ((await run(effect, r, installation, client)) === NOT_YET) return;
        } catch (err) {
          // Only an answer that says the card or chat is gone will not get better: give up on that.
          // A 401 may be momentary, and an installation that is really gone is skipped by the sweep.
          const hopeless = err instanceof RingCentralError && err.status !== undefined && HOPELESS.has(err.status);
          log.error(hopeless ? 'an approval follow-up cannot be done; dropped' : 'an approval follow-up failed; will retry', { requestId: id, effect, err });
          if (!hopeless) return;
        }
        await done(effect);
      }),
    );
  }

  /** Finishes every request that still owes something (run by the sweep, and so at start-up). */
  async function settleAll(): Promise<void> {
    for (const r of await requests.find('owes', 'yes')) {
      if (!r.effects?.length) continue;
      const installation = await installations.get(r.accountId);
      if (!installation) continue;
      await settle(installation, await installations.client(installation), r.id).catch((err: unknown) =>
        log.error('finishing an approval change failed; will retry', { requestId: r.id, err }),
      );
    }
  }

  return { settle, settleAll };
}
