import { argumentOf, type Command } from '../bot/commands.js';
import type { Services } from '../bot/context.js';
import { plainText } from '../cards/plain-text.js';
import type { Card, ChatClient } from '../platform/chat-client.js';
import type { AppRecord, AppRegistry } from '../registry/app-records.js';
import { holdsName } from '../registry/app-records.js';
import type { JwtCredential, JwtCredentials } from './jwt-credential-store.js';
import { accountMayUse } from './who-may-sign-in.js';

/**
 * The JWT flow in chat: `create jwt <app> [for N days]` issues a JWT credential for the person who
 * asks, for a `jwt` app of their account (or another account's public one, by its client ID), in a card in their direct chat that shows it once and is
 * hidden after SECRET_REVEAL_SECONDS; `my jwts` lists theirs (never the value); `revoke jwt <id>`
 * ends one. The app exchanges it at the token endpoint (src/oauth/jwt-bearer.ts).
 *
 * @example
 *   const jwt = createJwtCredentialCommands({ services, registry, credentials, tokenUrl });
 *   commands.push(...jwt.commands); // and jwt.sweep() from the periodic sweep
 */
export interface JwtReveal {
  cardId: string;
  accountId: string;
  credentialId: string;
  appName: string;
  hideAt: number;
}

const shown = (text: string) => plainText(text, { max: 64 });
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function credentialCard(input: { app: AppRecord; record: JwtCredential; credential?: string; hideAt: number; tokenUrl: string }): Card {
  const { app, record, credential } = input;
  const expiry = record.expiresAt === null ? 'It does not expire.' : `It expires on ${day(record.expiresAt)}.`;
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: `JWT credential for ${app.displayName}`, weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: `It lets the app act as you. ${expiry} Its id is ${record.id}; say "revoke jwt ${record.id}" to end it.`, wrap: true },
  ];
  if (credential) {
    body.push({ type: 'TextBlock', text: credential, wrap: true, fontType: 'Monospace' });
    body.push({ type: 'TextBlock', text: `Copy it now: it is shown once and hidden at ${new Date(input.hideAt).toISOString().slice(11, 16)} UTC. The app sends it as "assertion" with grant_type urn:ietf:params:oauth:grant-type:jwt-bearer to ${input.tokenUrl}, with its client ID and secret.`, wrap: true, isSubtle: true });
  } else {
    body.push({ type: 'TextBlock', text: `The credential (ending ${record.last4}) was shown once and is now hidden; nobody can show it again. If it was lost, revoke it and create another.`, wrap: true, isSubtle: true });
  }
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.3', body };
}

export function createJwtCredentialCommands({ services, registry, credentials, tokenUrl }: { services: Services; registry: AppRegistry; credentials: JwtCredentials; tokenUrl: string }) {
  const { config, clock, installations, log, store } = services;
  const mayUse = accountMayUse(installations);
  const reveals = store.collection<JwtReveal>('jwt-reveals');

  const create: Command = {
    words: ['create jwt'],
    takesArgument: true,
    usage: 'create jwt <app> [for N days]',
    summary: `a JWT credential for you, for one of this account's JWT apps or, by client ID, a public one (shown once, in a direct message; ${config.oauth.jwtCredentialMaxDays} days at most).`,
    async run({ client, installation }, m) {
      const argument = argumentOf(create, m.text);
      const parsed = /^(.*?\S)(?:\s+for\s+(\d{1,5})\s+days?)?$/i.exec(argument);
      if (!parsed) return void (await client.postText(m.chatId, 'Which app? Say **create jwt <app name or client ID>**, optionally followed by **for 30 days**.'));
      const days = parsed[2] === undefined ? config.oauth.jwtCredentialMaxDays : Number(parsed[2]);
      if (days < 1 || days > config.oauth.jwtCredentialMaxDays) {
        return void (await client.postText(m.chatId, `A JWT credential lasts 1 to ${config.oauth.jwtCredentialMaxDays} days.`));
      }
      const own = await registry.findAll(parsed[1]!, installation.accountId);
      // Another account's app by its client ID, when it is public (who-may-sign-in.ts); never by name: names mean nothing across accounts.
      const other = own.length === 0 ? await registry.get(parsed[1]!.trim()) : undefined;
      const found = other && other.accountId !== installation.accountId && (await mayUse(other, installation.accountId)) ? [other] : own;
      const apps = found.filter((a) => holdsName(a) && a.status !== 'issuing');
      if (apps.length === 0) return void (await client.postText(m.chatId, `I know no app called "${shown(parsed[1]!)}" in this account.`));
      if (apps.length > 1) return void (await client.postText(m.chatId, `Several apps are called "${shown(parsed[1]!)}": say **create jwt <client ID>** instead.`));
      const app = apps[0]!;
      if (app.authMethod !== 'jwt') return void (await client.postText(m.chatId, `**${shown(app.appName)}** uses ${app.authMethod === 'oauth' ? '3-legged OAuth: people sign in through the app instead' : 'no JWT flow'}; JWT credentials are for apps registered with JWT auth.`));
      if (app.status !== 'active') return void (await client.postText(m.chatId, `**${shown(app.appName)}** is ${app.status}: it cannot get new credentials.`));
      const { credential, record } = await credentials.issue({ clientId: app.clientId, accountId: installation.accountId, personId: m.personId, days });
      log.addSecret(credential);
      const hideAt = clock.now() + config.secretRevealSeconds * 1000;
      const dm = m.direct ? m.chatId : await client.openDirect(m.personId);
      try {
        const { id: cardId } = await client.postCard(dm, credentialCard({ app, record, credential, hideAt, tokenUrl }));
        await reveals.put(cardId, { cardId, accountId: installation.accountId, credentialId: record.id, appName: app.appName, hideAt });
      } catch (err) {
        // Never delivered: it must not work either.
        await credentials.revoke(record.id, installation.accountId, m.personId);
        throw err;
      } finally {
        // Masked only while it is on its way (an error here could quote the card): then the list stays short.
        setTimeout(() => log.removeSecret(credential), 60_000).unref();
      }
      if (!m.direct) await client.postText(m.chatId, 'I sent you the JWT credential in a direct message.');
    },
  };

  /** A person's credentials as text, never their value; undefined when they have none. */
  async function listText(accountId: string, personId: string): Promise<string | undefined> {
    const mine = await credentials.listFor(accountId, personId);
    if (mine.length === 0) return undefined;
    const lines = await Promise.all(
      mine.map(async (c) => {
        const app = await registry.get(c.clientId);
        const state = c.revokedAt !== undefined ? `revoked ${day(c.revokedAt)}` : !credentials.isLive(c) ? 'expired' : c.expiresAt === null ? 'no expiry' : `expires ${day(c.expiresAt)}`;
        return `• **${shown(app?.appName ?? c.clientId)}**: ${c.id} (ending ${c.last4}), created ${day(c.createdAt)}, ${state}`;
      }),
    );
    return `Your JWT credentials:\n${lines.join('\n')}\n\nSay **revoke jwt <id>** to end one.`;
  }

  const list: Command = {
    words: ['my jwts', 'my jwt credentials'],
    summary: 'your JWT credentials (never their value), with their ids to revoke them.',
    async run({ client, installation }, m) {
      const text = await listText(installation.accountId, m.personId);
      await client.postText(m.chatId, text ?? 'You have no JWT credentials. Say **create jwt <app>** to make one.');
    },
  };

  /** For `my apps` (src/lifecycle): the person's JWT credentials after their apps, when they have any. */
  async function afterMyApps(client: ChatClient, chatId: string, accountId: string, personId: string) {
    const text = await listText(accountId, personId);
    if (text) await client.postText(chatId, text);
  }

  const revoke: Command = {
    words: ['revoke jwt'],
    takesArgument: true,
    usage: 'revoke jwt <id>',
    summary: 'ends one of your JWT credentials at once.',
    async run({ client, installation }, m) {
      const id = argumentOf(revoke, m.text);
      const done = /^jwt-[\w-]{6,32}$/.test(id) ? await credentials.revoke(id, installation.accountId, m.personId) : undefined;
      await client.postText(m.chatId, done ? `Revoked ${done.id}: it no longer gets tokens.` : `You have no live JWT credential with the id "${shown(id)}". Say **my jwts** to see yours.`);
    },
  };

  /** Hides credential cards whose time is up (from the periodic sweep). */
  async function sweep(): Promise<void> {
    for (const r of await reveals.due('hideAt', clock.now())) {
      try {
        const installation = await installations.get(r.accountId);
        const record = (await store.collection<JwtCredential>('jwt-credentials').get(r.credentialId)) ?? undefined;
        const app = record ? await registry.get(record.clientId) : undefined;
        if (installation && record && app) await (await installations.client(installation)).updateCard(r.cardId, credentialCard({ app, record, hideAt: r.hideAt, tokenUrl }));
        await reveals.delete(r.cardId);
      } catch (err) {
        log.error('hiding a JWT credential card failed; will retry', { cardId: r.cardId, err });
      }
    }
  }

  return { commands: [create, list, revoke], submitHandlers: new Map(), sweep, afterMyApps };
}
