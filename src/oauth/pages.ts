/**
 * The few HTML pages of the authorization server: who are you, check your chat, consent, errors.
 * Everything shown is escaped (an app's display name is whatever its owner typed); no script, and
 * a Content-Security-Policy that allows none (set by the interaction routes).
 */
export const escapeHtml = (text: string) =>
  text.replace(/[&<>"'`=/]/g, (c) => `&#${c.charCodeAt(0)};`);

export interface PageApp {
  displayName: string;
  iconUrl?: string | undefined;
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}
.app{display:flex;align-items:center;gap:.75rem}.app img{width:48px;height:48px;border-radius:8px}
button{font-size:1rem;padding:.5rem 1rem;margin-right:.5rem}input{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}
li{margin:.3rem 0}.muted{color:#666;font-size:.9rem}</style></head>
<body>${body}</body></html>`;
}

function appHeader(app: PageApp): string {
  // Only http(s) icons: the URL lands in an attribute, and a javascript: URL must never.
  const icon = app.iconUrl && /^https?:\/\//i.test(app.iconUrl) ? `<img src="${escapeHtml(app.iconUrl)}" alt="">` : '';
  return `<div class="app">${icon}<h1>${escapeHtml(app.displayName)}</h1></div>`;
}

/** Asks who is signing in: the bot sends that person a one-time link in chat. */
export function whoAreYouPage(app: PageApp, action: string, v: { open?: boolean } = {}): string {
  const where = v.open ? ' (this app is public: people of any RingCentral account where Registrar is installed may sign in)' : '';
  return layout(`Sign in to ${app.displayName}`, `${appHeader(app)}
<p>${escapeHtml(app.displayName)} asks to act on your behalf. To sign in, give your work email address: Registrar will send you a one-time sign-in link in a direct message in RingCentral${where}.</p>
<form method="post" action="${escapeHtml(action)}"><label>Work email<br><input type="email" name="email" autocomplete="email" required maxlength="254"></label>
<p><button type="submit">Send me a sign-in link</button></p></form>`);
}

/** The same answer whether or not the person exists: a page never says who is in the account. */
export function checkYourChatPage(app: PageApp, minutes: number, v: { open?: boolean } = {}): string {
  const who = v.open ? 'someone in a RingCentral account where Registrar is installed' : 'someone in this RingCentral account';
  return layout('Check your RingCentral messages', `${appHeader(app)}
<p>If that address belongs to ${who}, Registrar has sent them a sign-in link in a direct message. Open it in this browser within ${minutes} minute${minutes === 1 ? '' : 's'}; it works once.</p>`);
}

export interface ConsentScope {
  name: string;
  description: string;
}

/** What the app will be able to do, and the buttons to allow or deny it. */
export function consentPage(app: PageApp, scopes: ConsentScope[], actions: { allow: string; deny: string }, v: { publisherAccountId?: string } = {}): string {
  const list = scopes.length
    ? `<ul>${scopes.map((s) => `<li><strong>${escapeHtml(s.name)}</strong>: ${escapeHtml(s.description)}</li>`).join('')}</ul>`
    : '<p>No permissions beyond knowing who you are.</p>';
  // Someone of another account should know the app is not their own company's.
  const publisher = v.publisherAccountId
    ? `<p>This app belongs to another RingCentral account (account ${escapeHtml(v.publisherAccountId)}), whose admins approved it to be used by other accounts.</p>`
    : '';
  return layout(`Allow ${app.displayName}?`, `${appHeader(app)}${publisher}
<p>${escapeHtml(app.displayName)} asks for these permissions:</p>${list}
<form method="post" action="${escapeHtml(actions.allow)}" style="display:inline"><button type="submit">Allow</button></form>
<form method="post" action="${escapeHtml(actions.deny)}" style="display:inline"><button type="submit">Deny</button></form>`);
}

export function errorPage(message: string): string {
  return layout('Sign-in problem', `<h1>Sign-in problem</h1><p>${escapeHtml(message)}</p><p class="muted">Go back to the app and start again.</p>`);
}
