import { createHash } from 'node:crypto';
import { utc } from '../approvals/approval-request.js';
import { clipText, plainText, visibleText } from '../cards/plain-text.js';
import { renderCard, type Card } from '../cards/render-card.js';
import { APP_TYPE_LABELS } from '../conversation/views.js';
import { clientSecretsOf, distributionOf, DISTRIBUTION_LABELS, hasSharedSecret, sharedSecretsOf, type AppRecord, type SecretKind } from '../registry/app-records.js';
import { liveSecrets, type SecretEntry } from '../registry/app-secrets.js';
import { KIND_LABEL, rotationText, secretName } from './secret-cards.js';

/**
 * The lifecycle's cards: the owner's list of apps, one app as its owner or the admins see it, and
 * the delete confirmation. Every name people typed goes through plainText (TextBlock and Fact text
 * are markdown); ids and dates are ours.
 */

export const PAGE_SIZE = 10;

const typeLabel = (app: AppRecord) => (Object.hasOwn(APP_TYPE_LABELS, app.appType) ? APP_TYPE_LABELS[app.appType] : String(app.appType));
const list = (items: readonly string[]) => (items.length ? plainText(items.join(', ')) : 'None');
const at = (iso: string) => utc(Date.parse(iso));

const STATUS: Record<AppRecord['status'], { text: string; tone: 'good' | 'warning' | 'attention' | 'default' }> = {
  active: { text: 'Active', tone: 'good' },
  suspended: { text: 'Suspended', tone: 'attention' },
  deleted: { text: 'Deleted', tone: 'default' },
  revoked: { text: 'Deleted', tone: 'default' },
  issuing: { text: 'Being registered', tone: 'default' },
};

/** Who can use the app, with what a held or refused public app means for its owner. */
function accessText(app: AppRecord): string {
  const d = distributionOf(app);
  if (d === 'held') return `${DISTRIBUTION_LABELS.held}: an admin reviews it before other accounts can use it; until then only this account can.`;
  if (d === 'refused') return `${DISTRIBUTION_LABELS.refused}${app.publicReview?.reason ? ` (reason: ${plainText(app.publicReview.reason)})` : ''}: only this account can use it. Edit the app and save it as public to ask again.`;
  return DISTRIBUTION_LABELS[d];
}

/** One line per live secret: "…ab12, issued 2026-11-28 10:05 UTC", and when a secret in its grace period stops. */
function secretLine(entry: SecretEntry): string {
  return `${secretName(entry)}, issued ${at(entry.issuedAt)}${entry.endsAt ? `; stops ${at(entry.endsAt)}` : ''}`;
}

/**
 * What a card shows, fingerprinted: who owns the app, its status, when it last changed, and which
 * secrets are live now (a grace period that ran out changes what a rotation would end).
 */
export function stampOf(app: AppRecord, now: number): string {
  const live = (l: readonly SecretEntry[]) => liveSecrets(l, now).map((e) => e.id).join(',');
  const text = [app.ownerId, app.status, app.updatedAt, live(clientSecretsOf(app)), live(sharedSecretsOf(app))].join('|');
  return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}

/** The owner's apps, ten a page. `page` is already within range. */
export function myAppsCard(apps: readonly AppRecord[], view: { ownerId: string; botId: string; page: number; now: number; notice?: string }): Card {
  const pages = Math.max(1, Math.ceil(apps.length / PAGE_SIZE));
  const shown = apps.slice((view.page - 1) * PAGE_SIZE, view.page * PAGE_SIZE);
  const title =
    apps.length === 0
      ? 'You have no apps yet'
      : `Your apps (${apps.length})${pages > 1 ? `, page ${view.page} of ${pages}` : ''}`;
  const notice = apps.length === 0 ? 'Say **create app** to register your first one; it will be listed here.' : (view.notice ?? '');
  return renderCard('my-apps', {
    ownerId: view.ownerId,
    botId: view.botId,
    title,
    notice,
    apps: shown.map((app) => {
      const live = liveSecrets(clientSecretsOf(app), view.now);
      return {
        appName: plainText(app.appName),
        subtitle: `${typeLabel(app)} · ${STATUS[app.status].text}`,
        tone: STATUS[app.status].tone,
        facts: [
          { title: 'Client ID', value: app.clientId },
          { title: 'Access', value: DISTRIBUTION_LABELS[distributionOf(app)] },
          { title: 'Granted scopes', value: list(app.grantedScopes) },
          { title: 'Awaiting approval', value: list(app.pendingScopes) },
          { title: 'Created', value: at(app.createdAt) },
          ...(live.length ? [...live].reverse().map((e, i) => ({ title: live.length > 1 ? `Client secret ${i + 1}` : 'Client secret', value: secretLine(e) })) : [{ title: 'Client secret', value: 'None works now' }]),
        ],
        clientId: app.clientId,
        // A button title is not markdown: the name as it reads, invisible characters removed.
        openTitle: `Open ${clipText(visibleText(app.appName), 40)}`,
      };
    }),
    hasPrevious: view.page > 1,
    hasNext: view.page < pages,
    previousPage: String(view.page - 1),
    nextPage: String(view.page + 1),
  });
}

export interface AppCardView {
  botId: string;
  now: number;
  graceHours: number;
  /** 'owner': the owner's actions; 'admin': suspend and reinstate, for the admin chat. */
  view: 'owner' | 'admin';
  ownerName?: string;
  notice?: string;
}

/** One app: its facts, its live secrets, and the actions of whoever it is shown to. */
export function appCard(app: AppRecord, v: AppCardView): Card {
  const owner = v.view === 'owner';
  const live = app.status === 'active' || app.status === 'suspended';
  const status = STATUS[app.status];
  const suspension = app.status === 'suspended' && app.suspension ? ` by an admin at ${at(app.suspension.at)}. Reason: ${plainText(app.suspension.reason)}` : '';
  const statusText =
    app.status === 'suspended'
      ? `Suspended${suspension}. Its secrets verify nothing until an admin reinstates it.`
      : app.status === 'deleted' || app.status === 'revoked'
        ? `Deleted${app.deletedAt ? ` at ${at(app.deletedAt)}` : ''}. Its secrets verify nothing; the record stays for the audit log.`
        : app.status === 'active'
          ? liveSecrets(clientSecretsOf(app), v.now).length > 0
            ? 'Active: the secrets listed below work.'
            : 'Active, but no client secret works now: rotate to get a new one.'
          : `${status.text}.`;
  const secrets = (kind: SecretKind) =>
    live
      ? liveSecrets<SecretEntry>(kind === 'client' ? clientSecretsOf(app) : sharedSecretsOf(app), v.now)
          .reverse()
          .map((e) => ({
            label: `${kind === 'client' ? 'Client secret' : 'Shared secret'} ${secretName(e)}`,
            detail: `Issued ${at(e.issuedAt)}${e.endsAt ? `; stops ${at(e.endsAt)} (the grace period after a rotation)` : ''}`,
            revokeTitle: `Revoke ${KIND_LABEL[kind]} ${secretName(e)} now`,
            secretId: e.id,
            kind,
          }))
      : [];
  const canRotate = owner && app.status === 'active';
  const canRotateShared = canRotate && hasSharedSecret(app);
  return renderCard('app-detail', {
    clientId: app.clientId,
    botId: v.botId,
    stamp: stampOf(app, v.now),
    appName: plainText(app.appName),
    subtitle: `${typeLabel(app)} · client ID ${app.clientId}`,
    statusText,
    statusTone: status.tone === 'default' ? 'emphasis' : status.tone,
    notice: v.notice ?? '',
    facts: [
      ...(v.ownerName !== undefined ? [{ title: 'Owner', value: plainText(v.ownerName) }] : []),
      { title: 'Access', value: accessText(app) },
      { title: 'Granted scopes', value: list(app.grantedScopes) },
      { title: 'Awaiting approval', value: list(app.pendingScopes) },
      { title: 'Created', value: at(app.createdAt) },
    ],
    secrets: [...secrets('client'), ...secrets('shared')],
    ownerView: owner && live,
    canHandOver: owner && app.status === 'active',
    canEdit: owner && app.status === 'active',
    canRotate,
    rotateText: canRotate ? rotationText(app, 'client', v.now, v.graceHours) : '',
    canRotateShared,
    sharedRotateText: canRotateShared ? rotationText(app, 'shared', v.now, v.graceHours) : '',
    adminView: !owner && live,
    reasonLabel: app.status === 'suspended' ? 'Reason for reinstating (optional; the owner sees it)' : 'Reason for suspending (required; the owner sees it)',
    canSuspend: !owner && app.status === 'active',
    canReinstate: !owner && app.status === 'suspended',
  });
}

export function confirmDeleteCard(app: AppRecord, v: { botId: string; now: number }): Card {
  const shared = hasSharedSecret(app) ? ' and shared secrets' : '';
  return renderCard('app-confirm-delete', {
    appName: plainText(app.appName),
    message: `Its client secrets${shared} stop working at once, any scope request still waiting for the admins is closed, and the name becomes free to use again. The app's history stays in the audit log. This cannot be undone. If you want to keep the app, just leave this card.`,
    clientId: app.clientId,
    botId: v.botId,
    stamp: stampOf(app, v.now),
  });
}

/** A one-line card in place of another (a done deletion, an answered offer). */
export const noticeCard = (title: string, message: string) => renderCard('notice', { title, message });
