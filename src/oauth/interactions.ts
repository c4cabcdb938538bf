import express, { Router, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import { plainText } from '../cards/plain-text.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Installations } from '../platform/installations.js';
import { distributionOf, type AppRecord, type AppRegistry } from '../registry/app-records.js';
import type { ScopeCatalog } from '../registry/scope-catalog.js';
import { checkYourChatPage, consentPage, errorPage, whoAreYouPage } from './pages.js';
import type { SignInLinks } from './sign-in-links.js';
import { accountMayUse } from './who-may-sign-in.js';

/**
 * The sign-in and consent pages oidc-provider sends people to (its "interactions"), mounted under
 * the issuer path. Sign-in goes through chat: the page asks for a work email, and the bot sends
 * that person a one-time link by direct message; the page answers the same whether or not anyone
 * has that address. Consent shows the app's display name, icon and the scopes it holds.
 *
 * Who may sign in: the people of the app's own account; for an app an admin approved to go public
 * (distributionOf === 'public'), also the people of any other account where this bot is installed,
 * whose link is sent by the bot in their own account, and whose consent page says whose app it is.
 * An app held for review, rejected or private serves its own account only.
 */
export interface InteractionDeps {
  provider: Provider;
  /** Public path of the issuer (`/oauth`): the pages' links and form actions start with it. */
  basePath: string;
  issuer: string;
  audience: string;
  registry: AppRegistry;
  catalog: ScopeCatalog;
  installations: Installations;
  links: SignInLinks;
  linkMinutes: number;
  clock: Clock;
  log: Logger;
  track<T>(work: Promise<T>): Promise<T>;
}

const LINKS_PER_WINDOW = 5;
const LINK_WINDOW_MS = 15 * 60_000;
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$/;

export function interactionRoutes(deps: InteractionDeps): Router {
  const { provider, basePath, registry, catalog, installations, links, linkMinutes, clock, log } = deps;
  const mayUse = accountMayUse(installations);
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const page = (res: Response, html: string, status = 200) => {
    res.status(status).set({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; img-src https: http:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'", 'x-frame-options': 'DENY' }).send(html);
  };
  const uidOf = (req: Request) => String(req.params.uid ?? '');
  const at = (uid: string, rest = '') => `${basePath}/interaction/${encodeURIComponent(uid)}${rest}`;

  /** The interaction of this browser, and the app it is for; undefined (with an error page sent) if it is gone. */
  async function current(req: Request, res: Response): Promise<{ details: Awaited<ReturnType<Provider['interactionDetails']>>; app: AppRecord; personAccount: string | undefined } | undefined> {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      page(res, errorPage('This sign-in has expired or was started in another browser. Open the link in the browser where you started, or start again from the app.'), 400);
      return undefined;
    }
    if (details.uid !== uidOf(req)) {
      page(res, errorPage('This sign-in is not the one this browser started.'), 400);
      return undefined;
    }
    const app = await registry.get(String(details.params.client_id ?? ''));
    if (app?.status !== 'active') {
      page(res, errorPage('This app cannot sign anyone in right now.'), 400);
      return undefined;
    }
    // Signed in for one account's app, this browser must not consent for another account's private
    // app: the person would be acting in an account that is not theirs.
    const person = details.session?.accountId;
    const personAccount = person ? await links.accountOf(person) : undefined;
    if (person && !(personAccount && (await mayUse(app, personAccount)))) {
      page(res, errorPage('This browser is signed in as someone of another RingCentral account. To use this app, start again from it in a private window or another browser, and sign in there.'), 403);
      return undefined;
    }
    return { details, app, personAccount };
  }

  router.get('/interaction/:uid', async (req, res) => {
    const found = await current(req, res);
    if (!found) return;
    const { details, app } = found;
    const open = distributionOf(app) === 'public';
    if (details.prompt.name === 'login') return page(res, whoAreYouPage(app, at(details.uid, '/identify'), { open }));
    const requested = String(details.params.scope ?? '').split(' ');
    const scopes = app.grantedScopes.filter((s) => requested.includes(s)).map((name) => ({ name, description: catalog.get(name)?.description ?? '' }));
    // Someone of another account is told whose app this is before they allow it.
    const publisher = found.personAccount && found.personAccount !== app.accountId ? app.accountId : undefined;
    page(res, consentPage(app, scopes, { allow: at(details.uid, '/allow'), deny: at(details.uid, '/deny') }, publisher ? { publisherAccountId: publisher } : {}));
  });

  router.post('/interaction/:uid/identify', form, async (req, res) => {
    const found = await current(req, res);
    if (!found) return;
    const { details, app } = found;
    const email = String((req.body as Record<string, unknown> | undefined)?.email ?? '').trim();
    // Answered at once, the look-up and the message after: the page's timing says nothing either.
    page(res, checkYourChatPage(app, linkMinutes, { open: distributionOf(app) === 'public' }));
    if (details.prompt.name !== 'login' || !EMAIL.test(email)) return;
    void deps.track(sendLink(details.uid, app, email)).catch((err: unknown) => log.warn('sign-in link not sent', { err: (err as Error).message }));
  });

  // Anyone who knows an app's client ID and redirect URI can open a sign-in page: a person gets at
  // most LINKS_PER_WINDOW links per window (per instance), so the page cannot be used to flood them.
  const sentTo = new Map<string, number[]>();
  const mayNotify = (personId: string, now: number) => {
    const recent = (sentTo.get(personId) ?? []).filter((t) => t > now - LINK_WINDOW_MS);
    if (recent.length >= LINKS_PER_WINDOW) return false;
    sentTo.set(personId, [...recent, now]);
    if (sentTo.size > 10_000) sentTo.delete(sentTo.keys().next().value!); // bounded memory
    return true;
  };

  async function sendLink(uid: string, app: AppRecord, email: string) {
    const installation = await installations.get(app.accountId);
    if (!installation) return;
    const client = await installations.client(installation);
    const direct = await client.openDirectByEmail(email);
    if (!direct) return;
    const person = await client.getPerson(direct.personId);
    if (person.email?.toLowerCase() !== email.toLowerCase()) return; // exactly this address
    const accountId = String(person.companyId ?? '');
    // People of the app's own account; of another account only for a public app, and only where the bot is installed.
    if (!accountId || !(await mayUse(app, accountId))) return;
    if (!mayNotify(direct.personId, clock.now())) return void log.warn('sign-in links: too many for one person; not sent', { app: app.clientId });
    // The link comes from the bot in the person's own account, in their direct chat there.
    const theirs = accountId === app.accountId ? undefined : await installations.get(accountId);
    const sender = theirs ? await installations.client(theirs) : client;
    const chatId = theirs ? await sender.openDirect(direct.personId) : direct.chatId;
    const token = await links.create({ interactionUid: uid, personId: direct.personId, accountId, now: clock.now() });
    const url = `${deps.issuer.replace(/\/$/, '')}/interaction/${encodeURIComponent(uid)}/signin/${token}`;
    await sender.postText(
      chatId,
      `Someone asked to sign in to **${plainText(app.displayName, { max: 64 })}** as you. If that was you, open this link in the same browser within ${linkMinutes} minute${linkMinutes === 1 ? '' : 's'} (it works once):\n${url}\nIf it was not you, ignore this message: nothing happens without the link.`,
    );
  }

  router.get('/interaction/:uid/signin/:token', async (req, res) => {
    const found = await current(req, res);
    if (!found) return;
    const { details, app } = found;
    const signedIn = await links.consume(String(req.params.token ?? ''), details.uid, clock.now());
    if (!signedIn || !(await mayUse(app, signedIn.accountId)) || details.prompt.name !== 'login') {
      return page(res, errorPage('This sign-in link has expired or was already used. Start again from the app.'), 400);
    }
    await provider.interactionFinished(req, res, { login: { accountId: signedIn.personId } }, { mergeWithLastSubmission: false });
  });

  router.post('/interaction/:uid/allow', async (req, res) => {
    const found = await current(req, res);
    if (!found) return;
    const { details, app } = found;
    const accountId = details.session?.accountId;
    if (details.prompt.name !== 'consent' || !accountId) return page(res, errorPage('There is nothing to allow here.'), 400);
    // A grant ended meanwhile (its refresh token revoked, say) is not found: start a fresh one.
    const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId: app.clientId });
    const oidcScopes = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));
    const missing = (details.prompt.details.missingResourceScopes as Record<string, string[]> | undefined) ?? {};
    // Only what the app holds now, whatever the request asked for.
    const allowed = (missing[deps.audience] ?? []).filter((s) => app.grantedScopes.includes(s));
    if (allowed.length) grant.addResourceScope(deps.audience, allowed.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  });

  router.post('/interaction/:uid/deny', async (req, res) => {
    const found = await current(req, res);
    if (!found) return;
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The person denied the request.' }, { mergeWithLastSubmission: false });
  });

  return router;
}
