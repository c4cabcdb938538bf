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
