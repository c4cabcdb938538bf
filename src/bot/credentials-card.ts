import { plainText } from '../cards/plain-text.js';
import { renderCard, type Card } from '../cards/render-card.js';
import { APP_TYPE_LABELS } from '../conversation/views.js';
import type { AppRecord, IssuedApp } from '../registry/app-records.js';

/**
 * The cards that carry an app's credentials: shown once with the secrets, then hidden. They replace
 * the registration form in place (the form card's id is known before anything is issued, so a crash
 * can always be cleaned up: no card is ever left that nobody can find again).
 */
function nextSteps(app: AppRecord): string {
  switch (app.appType) {
    case 'bot':
      return "Install the bot from the Developer Console. RingCentral then posts the bot's permanent access token to your bot's OAuth redirect URI; the bot uses that token, not a user login.";
    case 'notification':
      return 'Share your installation instructions with your users. RingCentral generates an incoming webhook URL for each installation.';
    default:
      return app.authMethod === 'oauth'
        ? `Send users to RingCentral's authorization page with your client ID and one of your redirect URIs, then exchange the code at /restapi/oauth/token using your client ID and secret.${app.refreshTokens ? ' Keep the refresh token and exchange it for new access tokens at least once a day.' : ' Refresh tokens are off: users sign in again when the access token expires.'}`
        : 'Create a JWT credential in the Developer Console, then exchange it at /restapi/oauth/token (grant_type urn:ietf:params:oauth:grant-type:jwt-bearer) using your client ID and secret.';
  }
}

function hideAtText(hideAt: number, now: number): string {
  const at = new Date(hideAt).toISOString().slice(11, 16);
  const minutes = Math.max(1, Math.round((hideAt - now) / 60_000));
  return `This card hides the secrets at ${at} UTC (in ${minutes} minute${minutes === 1 ? '' : 's'}). Copy them now: they are shown once.`;
}

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

/** The same card once the secrets' time is up: no secret in its data at all. */
export function hiddenCredentialsCard(app: AppRecord): Card {
  return renderCard('credentials-hidden', base(app));
}
