import { randomUUID } from 'node:crypto';
import { utc } from '../approvals/approval-request.js';
import type { AuditLog } from '../approvals/audit-log.js';
import type { Services, TurnContext } from '../bot/context.js';
import { personName } from '../bot/person-name.js';
import { plainText } from '../cards/plain-text.js';
import type { Card } from '../cards/render-card.js';
import type { ChatClient } from '../platform/chat-client.js';
import type { Installation } from '../platform/installations.js';
import { holdsName, type AppRecord, type AppRegistry, type SecretKind } from '../registry/app-records.js';
import { noticeCard } from './app-views.js';
import { KIND_LABEL, secretsOf } from './secret-cards.js';

/**
 * A change of an app and what it owes the world afterwards (its history entry, the card clicked,
 * the owner's news, the approval requests it closes), kept as one record from before the change
 * until all of it is done: a crash between the change and its consequences is finished at
 * start-up, and a change that never happened leaves nothing. As approvals' follow-ups do.
 */
export type OwedChange =
  | { event: 'deleted' }
  | { event: 'suspended' | 'reinstated'; reason: string }
  | { event: 'secret-revoked'; kind: SecretKind; entryId: string; name: string };

export interface Owed {
  id: string;
  accountId: string;
  clientId: string;
  appName: string;
  actorId: string;
  at: number;
  /** The card clicked, drawn again to show the outcome. */
  cardId: string | null;
  change: OwedChange;
}

export interface OwedDeps {
  services: Services;
  registry: AppRegistry;
  audit: AuditLog;
  ownerCard: (app: AppRecord, botId: string, notice?: string) => Card;
  adminCard: (app: AppRecord, client: ChatClient, botId: string, notice?: string) => Promise<Card>;
  closeRequestsOf: (installation: Installation, client: ChatClient, clientId: string) => Promise<void>;
  withdrawOffer: (client: ChatClient, clientId: string, botId: string) => Promise<void>;
}

/** Whether the change is in the stored app (after a crash: it happened, or it did not). */
function happened(app: AppRecord, change: OwedChange): boolean {
  switch (change.event) {
    case 'deleted':
      return !holdsName(app);
    case 'suspended':
      return app.status === 'suspended';
    case 'reinstated':
      return app.status === 'active';
    case 'secret-revoked':
      return !secretsOf(app, change.kind).some((e) => e.id === change.entryId);
  }
}

export function createOwedEffects({ services, registry, audit, ownerCard, adminCard, closeRequestsOf, withdrawOffer }: OwedDeps) {
  const { store, log, checkpoint } = services;
  const owed = store.collection<Owed>('lifecycle-owed');

  /**
   * Records what the change will owe, makes it (`commit` returns the app as changed, or undefined
   * when it could not be made), then settles what it owes. The caller holds the app's lock.
   */
  async function change(ctx: TurnContext, o: Omit<Owed, 'id'>, commit: () => Promise<AppRecord | undefined>): Promise<AppRecord | undefined> {
    const record: Owed = { ...o, id: randomUUID() };
    await owed.put(record.id, record);
    checkpoint(`${o.change.event}:begun`);
    let after: AppRecord | undefined;
    try {
      after = await commit();
    } finally {
      if (!after) await owed.delete(record.id).catch(() => undefined); // nothing changed: nothing owed (a leftover is dropped by recovery)
    }
    if (!after) return undefined;
    checkpoint(`${o.change.event}:stored`);
    await settle(ctx, record).catch((err: unknown) => log.error('finishing an app change failed; the sweep will', { clientId: o.clientId, event: o.change.event, err }));
    return after;
  }

  /** Does what the change owes, if it happened; then the record goes. Safe to run again (the history entry is keyed). */
  async function settle(ctx: TurnContext, o: Owed): Promise<void> {
    const app = await registry.get(o.clientId);
    if (app && happened(app, o.change)) {
      await audit.append(historyEntry(o), `owed:${o.id}`);
      checkpoint(`${o.change.event}:audited`);
      await tell(ctx, app, o);
    }
    await owed.delete(o.id);
  }

  function historyEntry(o: Owed) {
    const base = { clientId: o.clientId, appName: o.appName, requestId: '', actorId: o.actorId, scopes: [] };
    const c = o.change;
    if (c.event === 'secret-revoked') return { ...base, event: c.kind === 'client' ? ('secret-revoked' as const) : ('shared-secret-revoked' as const), reason: null, detail: `${KIND_LABEL[c.kind]} ${c.name}` };
    if (c.event === 'deleted') return { ...base, event: 'deleted' as const, reason: null };
    return { ...base, event: c.event, reason: c.reason || null };
  }

  /** The outward consequences, each on its own: one that fails is logged and does not hold up the others. */
  async function tell(ctx: TurnContext, app: AppRecord, o: Owed): Promise<void> {
    const { client, installation } = ctx;
    const botId = installation.botId;
    const attempt = (what: string, work: () => Promise<unknown>) => work().catch((err: unknown) => log.error(`${what} failed`, { clientId: o.clientId, err }));
    const draw = (card: () => Promise<Card> | Card) => (o.cardId ? attempt('drawing the app card', async () => client.updateCard(o.cardId!, await card())) : Promise.resolve());
    const c = o.change;
    switch (c.event) {
      case 'secret-revoked':
        await draw(() => ownerCard(app, botId, `The ${KIND_LABEL[c.kind]} ${c.name} was revoked at ${utc(o.at)}: it verifies nothing any more.`));
        return;
      case 'deleted':
        await attempt('withdrawing a hand-over offer', () => withdrawOffer(client, o.clientId, botId));
        // The approvals sweep closes what this leaves open (it closes requests of deleted apps it finds).
        await attempt('closing the requests of a deleted app', () => closeRequestsOf(installation, client, o.clientId));
        await draw(() => noticeCard(`Deleted: ${plainText(app.appName)}`, `Its secrets stopped working at ${utc(o.at)}, and the name is free to use again. Its history stays in the audit log.`));
        return;
      case 'suspended':
      case 'reinstated': {
        const suspended = c.event === 'suspended';
        const admin = plainText(await personName(client, o.actorId));
        await draw(() => adminCard(app, client, botId, `${suspended ? 'Suspended' : 'Reinstated'} by ${admin} at ${utc(o.at)}. The owner was told.`));
        const why = c.reason ? ` Reason: ${plainText(c.reason)}` : '';
        const news = suspended
          ? `An admin suspended your app **${plainText(app.appName)}**: its secrets verify nothing until it is reinstated.${why}`
          : `An admin reinstated your app **${plainText(app.appName)}**: its secrets work again.${why}`;
        await attempt('telling the owner about a suspension', async () => client.postText(await client.openDirect(app.ownerId), news));
        return;
      }
    }
  }

  /** Changes whose consequences a crash interrupted, oldest first. */
  const leftovers = () => owed.due('at', Number.MAX_SAFE_INTEGER);

  return { change, settle, leftovers, get: (id: string) => owed.get(id) };
}
