import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { newClientId } from '../../src/registry/app-records.js';
import type { AppDraft } from '../../src/registry/fields.js';
import type { World } from './world.js';

/** Shared steps of the OAuth tests: apps put straight into the registry, and openid-client set up against the bot. */
export const REDIRECT = 'https://app.example.com/callback';

export const oauthDraft = (over: Partial<AppDraft> = {}): AppDraft => ({
  appType: 'rest-api',
  appName: `App ${randomBytes(3).toString('hex')}`,
  displayName: 'Expense <b>Sync</b>',
  iconUrl: 'https://cdn.example.com/icon.png',
  primaryContact: 'alice@acme.example',
  promote: false,
  authMethod: 'oauth',
  redirectUris: [REDIRECT],
  refreshTokens: true,
  scopes: ['ReadMessages'],
  access: 'private',
  interactiveMessages: false,
  ...over,
});

/** An active app of Alice's, as a finished registration leaves it; returns its client id and secret. */
export async function activeApp(w: World, over: Partial<AppDraft> = {}) {
  const clientId = newClientId();
  const issued = await w.bot.registry.create({ draft: oauthDraft(over), accountId: w.account.id, ownerId: w.alice.id, now: w.clock.now(), clientId });
  await w.bot.registry.activate(clientId, w.clock.now());
  return { clientId, secret: issued.clientSecret, record: issued.record };
}

export type AuthStyle = 'basic' | 'post';

/** openid-client's view of the bot's authorization server, as this app (plain http: the test runs on loopback). */
export async function discover(w: World, clientId: string, secret: string, style: AuthStyle = 'basic') {
  const auth = style === 'basic' ? oidc.ClientSecretBasic(secret) : oidc.ClientSecretPost(secret);
  return oidc.discovery(new URL(w.bot.oauth.issuer), clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });
}

/** Whether a call was refused with an OAuth error (the `error` code), else throws what it got. */
export async function oauthError(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    const e = err as { error?: string; code?: string; cause?: { error?: string } | { parameters?: { error?: string } }[] };
    // A 401 comes as a WWW-Authenticate challenge, whose parameters carry the error code.
    const challenge = Array.isArray(e.cause) ? e.cause[0]?.parameters?.error : undefined;
    return e.error ?? challenge ?? (Array.isArray(e.cause) ? undefined : e.cause?.error) ?? e.code ?? String(err);
  }
  throw new Error('expected the call to be refused');
}

export { oidc };

/** A browser, as far as the sign-in pages need one: cookies, and redirects followed by hand. */
export function browser() {
  const jar = new Map<string, string>();
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const gone = attrs.some((a) => /^\s*(max-age=0|expires=Thu, 01 Jan 1970)/i.test(a));
      if (gone) jar.delete(name);
      else jar.set(name, pair.slice(eq + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const b = {
    jar,
    /** One request, no redirect followed. */
    async send(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
      const res = await fetch(url, {
        method: init.method ?? (init.form ? 'POST' : 'GET'),
        redirect: 'manual',
        headers: { cookie: cookie(), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
      });
      remember(res);
      return { status: res.status, location: res.headers.get('location'), html: await res.text(), url };
    },
    /** Follows redirects on `origin` until a page, or a redirect elsewhere (the app's redirect URI). */
    async go(url: string, init: { form?: Record<string, string> } = {}) {
      let res = await b.send(url, init);
      const origin = new URL(url).origin;
      for (let hops = 0; res.location && hops < 10; hops++) {
        const next = new URL(res.location, res.url);
        if (next.origin !== origin) return { ...res, location: next.href };
        res = await b.send(next.href);
      }
      return res;
    },
  };
  return b;
}

/** A form's action on a page, as the browser would resolve it. */
export function formAction(html: string, base: string, ending: string): string {
  const found = [...html.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => m[1]!.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)))).find((a) => a.endsWith(ending));
  if (!found) throw new Error(`no form ending ${ending} on the page:\n${html}`);
  return new URL(found, base).href;
}

/** The sign-in link the bot sent `person` in chat (the newest), or undefined. */
export function signInLinkFor(w: Pick<World, 'emulator' | 'botId'>, personId: string): string | undefined {
  const chats = w.emulator.posts({ creatorId: w.botId }).filter((p) => (p.text ?? '').includes('/signin/'));
  const mine = chats.filter((p) => w.emulator.chat(p.groupId)?.members.includes(personId));
  return mine.at(-1)?.text?.match(/https?:\/\/\S+\/signin\/\S+/)?.[0];
}

/**
 * The whole 3-legged dance as a person does it: the app sends the browser to /auth, the page asks
 * who they are, the bot sends them a link in chat, they open it, then allow. Returns the redirect
 * to the app (with the code), and the pages seen on the way.
 */
export async function signInAndConsent(w: Pick<World, 'emulator' | 'botId'>, config: oidc.Configuration, person: { id: string; email: string }, params: Record<string, string>) {
  const b = browser();
  const start = await b.go(oidc.buildAuthorizationUrl(config, params).href);
  if (start.location) return { b, start, redirect: start.location, consent: undefined };
  const identify = formAction(start.html, start.url, '/identify');
  const before = signInLinkFor(w, person.id);
  const check = await b.go(identify, { form: { email: person.email } });
  await w.emulator.waitFor(() => signInLinkFor(w, person.id) !== before, { message: 'no sign-in link in chat' });
  const consent = await b.go(signInLinkFor(w, person.id)!);
  const allowed = await b.go(formAction(consent.html, consent.url, '/allow'), { form: {} });
  return { b, start, check, consent, redirect: allowed.location };
}
