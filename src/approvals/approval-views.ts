import { plainText, visibleText } from '../cards/plain-text.js';
import { renderCard, type Card } from '../cards/render-card.js';
import { APP_TYPE_LABELS } from '../conversation/views.js';
import type { AppType } from '../registry/fields.js';
import { distributionOf, type AppRecord } from '../registry/app-records.js';
import type { ScopeCatalog } from '../registry/scope-catalog.js';
import { OUTCOME_WORDS, outcomeOf, utc, type ApprovalRequest, type Outcome } from './approval-request.js';

/**
 * Cards for approval requests: the open card in the admin chat, its final states, and the requester's news.
 * Names, reasons and ids reach TextBlock and Fact text, which is markdown: each goes through plainText
 * (the justification is a TextRun, which is not markdown, so it only loses invisible characters).
 */
const appLabel = (r: ApprovalRequest) => plainText(`${r.appName} (${Object.hasOwn(APP_TYPE_LABELS, r.appType) ? APP_TYPE_LABELS[r.appType as AppType] : r.appType})`);
const decider = (r: ApprovalRequest, deciderName: string | undefined) => plainText(deciderName ?? r.decision?.by ?? '');
const reasonText = (reason: string | null | undefined) => (reason ? `Reason: ${plainText(reason)}` : '');

/** "Public (App Gallery)" or "Private (this account only)"; unknown when the app is gone. */
const ACCESS_LABELS: Record<string, string> = { public: 'Public (not listed in the App Gallery)', private: 'Private (this account only)' };
const accessLabel = (access: string | undefined, promote: boolean | undefined) =>
  access === 'public' && promote ? 'Public (to be listed in the App Gallery)' : access && Object.hasOwn(ACCESS_LABELS, access) ? ACCESS_LABELS[access]! : 'Not given';

/**
 * The open request. `app` gives the context an admin decides in: who can install the app (access)
 * and what it holds already. Each scope's description is the title of its own checkbox.
 */
export function requestCard(
  r: ApprovalRequest,
  ctx: { botId: string; catalog: ScopeCatalog; requesterName: string; notice?: string; app?: { access?: AppRecord['access']; promote?: boolean; grantedScopes: string[]; publicReview?: AppRecord['publicReview'] } },
): Card {
  const access = ctx.app?.access;
  const held = ctx.app !== undefined && distributionOf(ctx.app) === 'held';
  const granted = ctx.app?.grantedScopes ?? [];
  return renderCard('approval-request', {
    requestId: r.id,
    botId: ctx.botId,
    notice: ctx.notice ?? '',
    requesterName: plainText(ctx.requesterName),
    appName: plainText(r.appName),
    scopeCount: r.scopes.length,
    facts: [
      { title: 'Requester', value: plainText(ctx.requesterName) },
      { title: 'App', value: appLabel(r) },
      { title: 'Access', value: held ? `${accessLabel(access, ctx.app?.promote)}; private until its public review is approved` : accessLabel(access, ctx.app?.promote) },
      { title: 'Already granted', value: granted.length ? plainText(granted.join(', ')) : 'None' },
      { title: 'Client ID', value: plainText(r.clientId) },
      { title: 'Asked', value: utc(r.requestedAt) },
    ],
    justification: visibleText(r.justification, { keepLines: true }) || '(none given)',
    // Choice titles are plain text (not markdown), so the description goes in as it is.
    scopeChoices: r.scopes.map((name) => ({ value: name, title: `${name}: ${ctx.catalog.get(name)?.description ?? 'no description in the catalog'}` })),
    approvedScopes: r.scopes.join(','),
  });
}

/** Each outcome its own colour and words, so approved, partly approved and rejected never look alike. */
const OUTCOME_TONES: Record<Outcome, 'good' | 'warning' | 'attention'> = { approved: 'good', 'partially-approved': 'warning', rejected: 'attention' };
const OUTCOME_TITLES: Record<Outcome, string> = {
  approved: 'Approved: every scope granted',
  'partially-approved': 'Partly approved: some scopes rejected',
  rejected: 'Rejected: no scope granted',
};

/** What the requester of a rejected scope can do next (a rejection stands; it is not asked again by itself). */
/** The requester's next step after a rejection: what still works depends on whether the app holds any scope. */
const rejectedNextStep = (hasScopes: boolean) =>
  `Next step: ${hasScopes ? 'your app works with its other scopes.' : 'your app holds no scope now, so it can call no API yet.'} If it still needs a rejected scope, talk to an admin of this account about the reason; a new request needs a new registration with a justification that answers it.`;

function perScope(r: ApprovalRequest) {
  const d = r.decision;
  return r.scopes.map((s) => ({ title: plainText(s), value: d ? (d.approved.includes(s) ? 'Approved' : 'Rejected') : 'Not granted' }));
}

/** The admin card once the request is no longer open. */
export function statusCard(r: ApprovalRequest, ctx: { requesterName: string; deciderName?: string; raisedAgain?: boolean }): Card {
  const base = [
    { title: 'Requester', value: plainText(ctx.requesterName) },
    { title: 'App', value: appLabel(r) },
    { title: 'Asked', value: utc(r.requestedAt) },
  ];
  if (ctx.raisedAgain) {
    return renderCard('approval-status', { title: 'This request was raised again below', tone: 'default', message: 'Decide on the newer card.', facts: base });
  }
  if (r.status === 'withdrawn') {
    return renderCard('approval-status', {
      title: 'Request closed: the app was deleted',
      tone: 'default',
      message: 'Its owner deleted the app, so there is nothing left to decide and nothing was granted.',
      facts: [...base, ...perScope(r)],
    });
  }
  if (r.status === 'expired' || !r.decision) {
    return renderCard('approval-status', {
      title: 'Request expired',
      tone: 'attention',
      message: 'Nobody decided in time, so nothing was granted. The requester was told and can ask again.',
      facts: [...base, ...perScope(r)],
    });
  }
  const d = r.decision;
  const outcome = outcomeOf(d);
  return renderCard('approval-status', {
    title: OUTCOME_TITLES[outcome],
    tone: OUTCOME_TONES[outcome],
    message: reasonText(d.reason),
    facts: [...base, { title: 'Decided', value: `${utc(d.at)} by ${decider(r, ctx.deciderName)}` }, ...perScope(r)],
  });
}

/** What the requester is sent in a direct message. */
export function outcomeCard(r: ApprovalRequest, ctx: { botId: string; deciderName?: string; hasScopes?: boolean }): Card {
  if (r.status === 'expired' || !r.decision) {
    return renderCard('approval-outcome', {
      title: `Your scope request for ${plainText(r.appName)} expired`,
      tone: 'attention',
      message: 'No admin decided in time, so these scopes were not granted. Your app and its other scopes are unaffected. You can ask again.',
      facts: perScope(r),
      canAskAgain: true,
      clientId: r.clientId,
      botId: ctx.botId,
    });
  }
  const outcome = outcomeOf(r.decision);
  const granted = r.decision.approved.length;
  return renderCard('approval-outcome', {
    title: `${OUTCOME_WORDS[outcome]}: your scope request for ${plainText(r.appName)}`,
    tone: OUTCOME_TONES[outcome],
    message: [
      `Decided by ${decider(r, ctx.deciderName)} at ${utc(r.decision.at)}.`,
      granted ? `Approved scopes work with your existing client ID and secret from now on.` : '',
      reasonText(r.decision.reason),
      r.decision.rejected.length ? rejectedNextStep(ctx.hasScopes ?? true) : '',
    ]
      .filter(Boolean)
      .join(' '),
    facts: perScope(r),
    canAskAgain: false,
    clientId: r.clientId,
    botId: ctx.botId,
  });
}
