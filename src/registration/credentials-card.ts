import { plainText } from '../cards/plain-text.js';
import { renderCard, type Card } from '../cards/render-card.js';
import { APP_TYPE_LABELS } from '../conversation/views.js';
import type { ApprovalRequest } from '../approvals/approval-request.js';
import { distributionOf, sharedSecretsOf, type AppRecord, type IssuedApp } from '../registry/app-records.js';

/**
 * The cards that carry an app's credentials: shown once with the secrets, then hidden. They replace
 * the registration form in place (the form card's id is known before anything is issued, so a crash
 * can always be cleaned up: no card is ever left that nobody can find again). The hidden card is
 * drawn again when an admin decides the app's scope request, so "Awaiting approval" never goes stale.
 */

/** A piece of a next-steps line: technical strings (URLs, grant types) are set in code style. */
interface Run {
  text: string;
  font: 'default' | 'monospace';
}
const t = (text: string): Run => ({ text, font: 'default' });
const code = (text: string): Run => ({ text, font: 'monospace' });

/**
 * Registrar's own authorization server (src/oauth), named on the cards of REST API apps. A process
 * setting (BOT_PUBLIC_URL + OAUTH_ISSUER_PATH), told once at start-up by startBot; until then
 * the lines name the default issuer path on the bot's address.
 */
export interface OAuthEndpoints {
  issuer: string;
  authorize: string;
  token: string;
  /** Token lifetimes as configured (ACCESS_TOKEN_SECONDS, REFRESH_TOKEN_DAYS): the card says what is true. */
  accessTokenSeconds?: number;
  refreshTokenDays?: number;
}
let endpoints: OAuthEndpoints = { issuer: '/oauth', authorize: '/oauth/auth', token: '/oauth/token' };

/** "an hour", "10 minutes", "2 hours", "7 days": a lifetime as people say it. */
function lifetime(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds === 3600) return 'an hour';
  if (seconds % 86_400 === 0) return plural(seconds / 86_400, 'day');
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}
export const useOAuthEndpoints = (e: OAuthEndpoints) => void (endpoints = e);

/** The next steps for the app's type, auth method and access; one line each (TextRuns, so no markdown). */
export function nextSteps(app: AppRecord): { runs: Run[] }[] {
  const lines: Run[][] = [];
  // Public apps face closer review here first: say so before anything about other accounts.
  if (distributionOf(app) === 'held') lines.push([t('An admin of this account reviews public apps before other accounts may use them: until they approve, the app works privately, for this account only. I will tell you when they decide.')]);
  switch (app.appType) {
    case 'bot': {
      // A bot gives no redirect URI in this form (it has no auth step): none is mentioned unless it has one.
      const uri = app.redirectUris?.[0];
      const token = uri
        ? [t(" RingCentral sends the bot's access token for each installation to "), code(uri), t('.')]
        : [t(' Each installation gives the bot a permanent access token for that account; the bot uses it, not a user login.')];
      lines.push(
        app.access === 'public' && app.promote
          ? [t('Once RingCentral has reviewed and published the bot, people install it from the App Gallery.'), ...token]
          : app.access === 'public'
          ? [t('Once RingCentral has reviewed the bot, other accounts can install it; it is not listed in the App Gallery (you chose not to promote it).'), ...token]
          : [t('Install the bot into your account from the Developer Console (the app\'s "Bot" tab).'), ...token],
      );
      break;
    }
    case 'notification':
      lines.push([t('Share your installation instructions with your users. RingCentral generates an incoming webhook URL for each installation.')]);
      break;
    default:
      if (app.authMethod === 'oauth') {
        lines.push([t('Send people to '), code(endpoints.authorize), t(' with your client ID, one of your redirect URIs and a PKCE code challenge (S256); Registrar signs them in through a link it sends them in chat. Exchange the code at '), code(endpoints.token), t(' using your client ID and secret.')]);
        const access = lifetime(endpoints.accessTokenSeconds ?? 3600);
        const refresh = lifetime((endpoints.refreshTokenDays ?? 7) * 86_400);
        lines.push([t(app.refreshTokens ? `Each refresh token works once and lasts ${refresh}: keep the new one every exchange returns. Access tokens last ${access}.` : `Refresh tokens are off: people sign in again when the access token expires (after ${access}).`)]);
      } else {
        lines.push([t('Each person the app acts for says '), code(`create jwt ${app.appName}`), t(' to me; exchange their JWT credential at '), code(endpoints.token), t(' (grant_type '), code('urn:ietf:params:oauth:grant-type:jwt-bearer'), t(') using your client ID and secret.')]);
      }
      lines.push([t('Issuer: '), code(endpoints.issuer), t(' (discovery at its /.well-known/openid-configuration; access tokens are JWTs your APIs check against its JWKS).')]);
      if (app.access === 'public') {
        lines.push([t(app.promote ? 'Public apps you promote are listed in the App Gallery once RingCentral has reviewed them.' : 'Other accounts can use the app once RingCentral has reviewed it; it is not listed in the App Gallery (you chose not to promote it).')]);
      }
  }
  return lines.map((runs) => ({ runs }));
}

/** When the secrets hide, as a clock time (and date, when not the same day): a countdown ("in 15 minutes") would be wrong a minute later. */
export function hideAtText(hideAt: number, sentAt: number): string {
  const at = new Date(hideAt).toISOString();
  const sameDay = at.slice(0, 10) === new Date(sentAt).toISOString().slice(0, 10);
  const when = `${at.slice(11, 16)} UTC${sameDay ? '' : ` on ${at.slice(0, 10)}`}`;
  return `Copy the secrets now: they are shown once and hidden at ${when}, ${span(hideAt - sentAt)} after this card was sent.`;
}

/** A length of time in the unit that reads best: seconds, minutes, hours or days. */
function span(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const seconds = Math.max(1, Math.round(ms / 1000));
  if (seconds < 60) return plural(seconds, 'second');
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return plural(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.round(hours / 24), 'day');
}

/** The last decision on the app's scope request, as the hidden card shows it. */
export interface ScopeDecision {
  outcome: 'approved' | 'partially-approved' | 'rejected' | 'expired';
  approved: string[];
  notGranted: string[];
}

const DECISION_TEXT: Record<ScopeDecision['outcome'], { title: string; color: 'good' | 'warning' | 'attention' }> = {
  approved: { title: 'Approved by an admin', color: 'good' },
  'partially-approved': { title: 'Partly approved by an admin', color: 'warning' },
  rejected: { title: 'Rejected by an admin', color: 'attention' },
  expired: { title: 'Request expired undecided', color: 'attention' },
};

const base = (app: AppRecord) => ({
  appName: plainText(app.appName),
  appTypeLabel: APP_TYPE_LABELS[app.appType],
  clientId: app.clientId,
  grantedScopes: app.grantedScopes,
  pendingScopes: app.pendingScopes,
  nextSteps: nextSteps(app),
});

/** The one card that ever shows the secrets. */
export function credentialsCard(issued: IssuedApp, hideAt: number, now: number): Card {
  return renderCard('credentials', {
    ...base(issued.record),
    clientSecret: issued.clientSecret,
    sharedSecret: issued.sharedSecret ?? '',
    hideAtText: hideAtText(hideAt, now),
  });
}

/**
 * The same card once the secrets' time is up: no secret in its data at all, and a button to rotate
 * the client secret (src/lifecycle/). With `decision`, it also says what became of the scopes that
 * were awaiting approval (the message below has the details).
 */
export function hiddenCredentialsCard(app: AppRecord, view: { botId: string; graceHours: number }, decision?: ScopeDecision): Card {
  const d = decision ? DECISION_TEXT[decision.outcome] : undefined;
  const keeps = view.graceHours > 0 ? `the one it replaces keeps working for ${view.graceHours} hour${view.graceHours === 1 ? '' : 's'}` : 'the one it replaces stops at once';
  const shown = sharedSecretsOf(app).length > 0
    ? 'The client secret and the shared secret were shown once and are now hidden; nobody can show them again.'
    : 'The client secret was shown once and is now hidden; nobody can show it again.';
  return renderCard('credentials-hidden', {
    ...base(app),
    botId: view.botId,
    hiddenText: `${shown} Lost or leaked? Rotate the client secret below: you get a new one, and ${keeps}.`,
    hasDecision: Boolean(decision),
    decisionTitle: d?.title ?? '',
    decisionColor: d?.color ?? 'default',
    decisionApproved: decision?.approved ?? [],
    decisionNotGranted: decision?.notGranted ?? [],
  });
}

/**
 * What the hidden card says about the app's scope requests: the newest request's outcome, once it
 * is decided or expired (an open one shows as "Awaiting approval" from the app's pending scopes).
 */
export function lastScopeDecision(requests: readonly ApprovalRequest[]): ScopeDecision | undefined {
  // A public review is no scope decision: the card's scopes follow scope requests only.
  const last = requests.filter((r) => r.kind !== 'public').sort((a, b) => b.requestedAt - a.requestedAt)[0];
  if (!last || last.status === 'open' || last.status === 'withdrawn') return undefined;
  if (last.status === 'expired' || !last.decision) return { outcome: 'expired', approved: [], notGranted: last.scopes };
  const d = last.decision;
  return { outcome: d.approved.length === 0 ? 'rejected' : d.rejected.length === 0 ? 'approved' : 'partially-approved', approved: d.approved, notGranted: d.rejected };
}
