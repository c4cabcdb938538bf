import { utc } from '../approvals/approval-request.js';
import { plainText } from '../cards/plain-text.js';
import { renderCard, type Card } from '../cards/render-card.js';
import type { CreatorPolicy } from '../config.js';
import type { AccessRequest } from './access-request.js';

/**
 * The cards of access requests: the answer to someone who may not register, the request in the
 * admins' channel, and its final state there. Names and reasons people typed go through plainText.
 */

/** Why someone may not register, in words that fit the policy. */
function whyNot(policy: CreatorPolicy, verdict: 'not-allowed' | 'unknown'): string {
  if (verdict === 'unknown') {
    return 'Only members of the developers\' chat may register apps here, and I cannot check its members right now (I may not be in that chat, or RingCentral does not list them), so I cannot let you in on my own.';
  }
  return policy.kind === 'chat' ? "Only members of the developers' chat may register apps here, and you are not one of them." : 'Only the people an admin of Registrar named may register apps here, and you are not one of them.';
}

/** The answer to `create app` from someone outside CREATORS: why, and what to do (the button, or waiting). */
export function accessNeededCard(policy: CreatorPolicy, verdict: 'not-allowed' | 'unknown', v: { botId: string; open?: AccessRequest; lastRefused?: AccessRequest }): Card {
  const why = whyNot(policy, verdict);
  if (v.open) {
    return renderCard('access-needed', {
      title: 'You do not have permission to register apps yet',
      message: `${why} Your request for access is with the admins since ${utc(v.open.requestedAt)}; I will tell you here when they decide.`,
      canRequest: false,
      botId: v.botId,
    });
  }
  const refused = v.lastRefused?.decision ? ` Your last request was refused${v.lastRefused.decision.reason ? ` (reason: ${plainText(v.lastRefused.decision.reason)})` : ''}; you may ask again.` : '';
  return renderCard('access-needed', {
    title: 'You do not have permission to register apps',
    message: `${why}${refused} Click **Request access** (or type **request access**) and the admins get your request; I will tell you here when they decide.`,
    canRequest: true,
    botId: v.botId,
  });
}

/** The open request in the admins' channel. */
export function accessRequestCard(r: AccessRequest, v: { botId: string; personName: string; email: string | null }): Card {
  return renderCard('access-request', {
    requestId: r.id,
    botId: v.botId,
    personName: plainText(v.personName),
    facts: [
      { title: 'Person', value: plainText(v.personName) },
      ...(v.email ? [{ title: 'Email', value: plainText(v.email) }] : []),
      { title: 'Person ID', value: plainText(r.personId) },
      { title: 'Asked', value: utc(r.requestedAt) },
    ],
  });
}

/** The admins' card once decided. */
export function accessStatusCard(r: AccessRequest, v: { personName: string; deciderName: string }): Card {
  const d = r.decision!;
  const facts = [
    { title: 'Person', value: plainText(v.personName) },
    { title: 'Asked', value: utc(r.requestedAt) },
    { title: 'Decided', value: `${utc(d.at)} by ${plainText(v.deciderName)}` },
  ];
  return r.status === 'granted'
    ? renderCard('approval-status', { title: 'Access granted: they may register apps', tone: 'good', message: '', facts })
    : renderCard('approval-status', { title: 'Access refused', tone: 'attention', message: d.reason ? `Reason: ${plainText(d.reason)}` : '', facts });
}

/** The person's news, as a text post in their direct chat. */
export function accessOutcomeText(r: AccessRequest, deciderName: string): string {
  const d = r.decision!;
  return r.status === 'granted'
    ? `${plainText(deciderName)} granted you permission to register apps. Type **create app** to register one.`
    : `${plainText(deciderName)} refused your request for permission to register apps.${d.reason ? ` Reason: ${plainText(d.reason)}.` : ''} If something changes, you may ask again with **request access**.`;
}
