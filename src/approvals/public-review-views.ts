import { plainText } from '../cards/plain-text.js';
import { renderCard, type Card } from '../cards/render-card.js';
import { APP_TYPE_LABELS, describeAnswer, fieldLabel } from '../conversation/views.js';
import type { AppRecord } from '../registry/app-records.js';
import type { AppType, FieldName } from '../registry/fields.js';
import type { ScopeCatalog } from '../registry/scope-catalog.js';
import { utc, type ApprovalRequest } from './approval-request.js';

/**
 * Cards for a public app's review (an ApprovalRequest of kind 'public'): the admins' card with the
 * app's full summary, its final states, and the owner's news. Everything people typed goes through
 * plainText (Fact text is markdown); lists are shown whole, since the admins decide on all of it.
 */

const typeLabel = (appType: string) => (Object.hasOwn(APP_TYPE_LABELS, appType) ? APP_TYPE_LABELS[appType as AppType] : appType);
const list = (items: readonly string[]) => (items.length ? plainText(items.join(', ')) : 'None');

/** The answers an admin weighs before letting other accounts in, in the form's order; those that do not apply are left out. */
const SUMMARY_FIELDS: readonly FieldName[] = [
  'displayName',
  'primaryContact',
  'iconUrl',
  'authMethod',
  'redirectUris',
  'refreshTokens',
  'partners',
  'promote',
  'interactiveMessages',
  'outboundWebhookUrl',
  'webInstallUrl',
  'manualInstructions',
];

/** The app as the admins review it: type, scopes, redirect URIs, webhook URL, partners, App Gallery intent and the rest. */
export function publicSummaryFacts(app: AppRecord, catalog: ScopeCatalog): { title: string; value: string }[] {
  const facts = [
    { title: 'App', value: plainText(`${app.appName} (${typeLabel(app.appType)})`) },
    { title: 'Client ID', value: plainText(app.clientId) },
    { title: 'Scopes granted', value: list(app.grantedScopes) },
    { title: 'Scopes awaiting approval', value: list(app.pendingScopes) },
  ];
  for (const field of SUMMARY_FIELDS) {
    const value = app[field];
    if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    // Redirect URIs one per line, each as text: an admin reads every one of them.
    const shown = field === 'promote' ? (value ? 'Yes: to be listed in the App Gallery' : 'No: not listed in the App Gallery') : describeAnswer(field, app, catalog);
    facts.push({ title: field === 'promote' ? 'App Gallery' : fieldLabel(field), value: plainText(shown, { keepLines: true }) });
  }
  return facts;
}

/** The open review in the admins' channel. */
export function publicReviewCard(r: ApprovalRequest, app: AppRecord, ctx: { botId: string; catalog: ScopeCatalog; requesterName: string; notice?: string }): Card {
  return renderCard('public-review-request', {
    requestId: r.id,
    botId: ctx.botId,
    notice: ctx.notice ?? '',
    requesterName: plainText(ctx.requesterName),
    appName: plainText(r.appName),
    facts: [{ title: 'Requester', value: plainText(ctx.requesterName) }, ...publicSummaryFacts(app, ctx.catalog), { title: 'Asked', value: utc(r.requestedAt) }],
  });
}

const base = (r: ApprovalRequest, requesterName: string) => [
  { title: 'Requester', value: plainText(requesterName) },
  { title: 'App', value: plainText(`${r.appName} (${typeLabel(r.appType)})`) },
  { title: 'Asked', value: utc(r.requestedAt) },
];

/** The admins' card once the review is no longer open. */
export function publicStatusCard(r: ApprovalRequest, ctx: { requesterName: string; deciderName?: string; raisedAgain?: boolean }): Card {
  const facts = base(r, ctx.requesterName);
  if (ctx.raisedAgain) return renderCard('approval-status', { title: 'This review was raised again below', tone: 'default', message: 'Decide on the newer card.', facts });
  if (r.status === 'withdrawn') {
    const why = r.withdrawnBecause === 'made-private' ? 'Its owner made the app private, so it no longer asks to go public.' : 'Its owner deleted the app, so there is nothing left to decide.';
    return renderCard('approval-status', { title: 'Review closed', tone: 'default', message: why, facts });
  }
  if (r.status === 'expired' || !r.decision) {
    return renderCard('approval-status', { title: 'Review expired', tone: 'attention', message: 'Nobody decided in time, so the app stays private. Its owner was told and can ask again.', facts });
  }
  const d = r.decision;
  const decided = { title: 'Decided', value: `${utc(d.at)} by ${plainText(ctx.deciderName ?? d.by)}` };
  return d.goesPublic
    ? renderCard('approval-status', { title: 'Approved: the app is public', tone: 'good', message: 'Other accounts can use it now.', facts: [...facts, decided] })
    : renderCard('approval-status', { title: 'Rejected: the app stays private', tone: 'attention', message: d.reason ? `Reason: ${plainText(d.reason)}` : '', facts: [...facts, decided] });
}

/** What the owner is sent in a direct message. */
export function publicOutcomeCard(r: ApprovalRequest, ctx: { botId: string; deciderName?: string }): Card {
  const name = plainText(r.appName);
  const common = { clientId: r.clientId, botId: ctx.botId, kind: 'public' as const };
  if (r.status === 'expired' || !r.decision) {
    return renderCard('approval-outcome', {
      ...common,
      title: `The review of ${name} expired`,
      tone: 'attention',
      message: 'No admin decided in time, so the app stays private: it works for this account only. You can ask again.',
      facts: [{ title: 'Access', value: 'Private until review' }],
      canAskAgain: true,
    });
  }
  const d = r.decision;
  const by = `Decided by ${plainText(ctx.deciderName ?? d.by)} at ${utc(d.at)}.`;
  return d.goesPublic
    ? renderCard('approval-outcome', {
        ...common,
        title: `Approved: ${name} is public`,
        tone: 'good',
        message: `${by} Other accounts can use it now, with the client ID and secret you have.`,
        facts: [{ title: 'Access', value: 'Public' }],
        canAskAgain: false,
      })
    : renderCard('approval-outcome', {
        ...common,
        title: `Rejected: ${name} stays private`,
        tone: 'attention',
        message: [by, d.reason ? `Reason: ${plainText(d.reason)}` : '', 'It keeps working for this account. To ask again, answer the reason: say **edit app** and save it as public.'].filter(Boolean).join(' '),
        facts: [{ title: 'Access', value: 'Private (going public was rejected)' }],
        canAskAgain: false,
      });
}
