import { plainText, visibleText } from '../cards/plain-text.js';
import { renderCard, type Card } from '../cards/render-card.js';
import { APP_TYPE_LABELS } from '../conversation/views.js';
import type { AppType } from '../registry/fields.js';
import type { ScopeCatalog } from '../registry/scope-catalog.js';
import { OUTCOME_WORDS, outcomeOf, utc, type ApprovalRequest } from './approval-request.js';

/**
 * Cards for approval requests: the open card in the admin chat, its final states, and the requester's news.
 * Names, reasons and ids reach TextBlock and Fact text, which is markdown: each goes through plainText
 * (the justification is a TextRun, which is not markdown, so it only loses invisible characters).
 */
const appLabel = (r: ApprovalRequest) => plainText(`${r.appName} (${Object.hasOwn(APP_TYPE_LABELS, r.appType) ? APP_TYPE_LABELS[r.appType as AppType] : r.appType})`);
const decider = (r: ApprovalRequest, deciderName: string | undefined) => plainText(deciderName ?? r.decision?.by ?? '');
const reasonText = (reason: string | null | undefined) => (reason ? `Reason: ${plainText(reason)}` : '');

export function requestCard(r: ApprovalRequest, ctx: { botId: string; catalog: ScopeCatalog; requesterName: string; notice?: string }): Card {
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
      { title: 'Client ID', value: plainText(r.clientId) },
      { title: 'Asked', value: utc(r.requestedAt) },
    ],
    scopes: r.scopes.map((name) => ({ name, description: ctx.catalog.get(name)?.description ?? 'No description in the catalog' })),
    justification: visibleText(r.justification, { keepLines: true }) || '(none given)',
    scopeChoices: r.scopes.map((name) => ({ value: name, title: name })),
    approvedScopes: r.scopes.join(','),
  });
}

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
    title: `${OUTCOME_WORDS[outcome]} by ${decider(r, ctx.deciderName)}`,
    tone: outcome === 'rejected' ? 'attention' : 'good',
    message: reasonText(d.reason),
    facts: [...base, { title: 'Decided', value: `${utc(d.at)} by ${decider(r, ctx.deciderName)}` }, ...perScope(r)],
  });
}

/** What the requester is sent in a direct message. */
export function outcomeCard(r: ApprovalRequest, ctx: { botId: string; deciderName?: string }): Card {
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
    tone: outcome === 'rejected' ? 'attention' : 'good',
    message: [
      `Decided by ${decider(r, ctx.deciderName)} at ${utc(r.decision.at)}.`,
      granted ? `Approved scopes work with your existing client ID and secret from now on.` : '',
      reasonText(r.decision.reason),
    ]
      .filter(Boolean)
      .join(' '),
    facts: perScope(r),
    canAskAgain: false,
    clientId: r.clientId,
    botId: ctx.botId,
  });
}
