import { argumentOf, type Command } from '../bot/commands.js';
import type { IncomingMessage, Services } from '../bot/context.js';
import { personName } from '../bot/person-name.js';
import type { AppRegistry } from '../registry/app-records.js';
import type { Collection } from '../store/store.js';
import { utc, type ApprovalRequest } from './approval-request.js';
import type { AuditEntry, AuditLog } from './audit-log.js';

/** `pending` and `audit <app>`: what the admins can ask in their channel. */
export function approvalCommands({ services, requests, audit, registry }: { services: Services; requests: Collection<ApprovalRequest>; audit: AuditLog; registry: AppRegistry }): Command[] {
  const { config } = services;
  const inAdminChat = (m: IncomingMessage) => config.adminChatId !== undefined && m.chatId === config.adminChatId;
  const adminOnly = "That command works in the admins' channel only.";

  const pending: Command = {
    words: ['pending'],
    summary: "in the admins' channel: approval requests waiting for a decision, oldest first.",
    async run({ client, installation }, m) {
      if (!inAdminChat(m)) return void (await client.postText(m.chatId, adminOnly));
      const open = (await requests.list())
        .filter((r) => r.status === 'open' && r.accountId === installation.accountId)
        .sort((a, b) => a.requestedAt - b.requestedAt);
      if (open.length === 0) return void (await client.postText(m.chatId, 'No approval requests are waiting.'));
      const lines = await Promise.all(
        open.map(async (r, i) => `${i + 1}. **${r.appName}** by ${await personName(client, r.requesterId)}: ${r.scopes.join(', ')} (asked ${utc(r.requestedAt)})`),
      );
      await client.postText(m.chatId, [`${open.length} approval request${open.length === 1 ? '' : 's'} waiting, oldest first:`, ...lines].join('\n'));
    },
  };

  const WORDS: Record<AuditEntry['event'], string> = {
    requested: 'requested',
    approved: 'approved',
    'partially-approved': 'partly approved',
    rejected: 'rejected',
    refused: 'refused',
    reminded: 'raised again',
    expired: 'expired',
  };

  const auditCommand: Command = {
    words: ['audit'],
    takesArgument: true,
    usage: 'audit <app>',
    summary: "in the admins' channel: the approval history of an app (by name or client ID).",
    async run({ client, installation }, m) {
      if (!inAdminChat(m)) return void (await client.postText(m.chatId, adminOnly));
      const query = argumentOf(auditCommand, m.text);
      if (!query) return void (await client.postText(m.chatId, 'Which app? Say **audit <app name or client ID>**.'));
      const apps = await registry.findAll(query, installation.accountId);
      if (apps.length === 0) return void (await client.postText(m.chatId, `I know no app called "${query}" in this account.`));
      if (apps.length > 1) {
        // Names are unique per owner, not per account: never pick one silently.
        const lines = await Promise.all(apps.map(async (a) => `• **${a.appName}** of ${await personName(client, a.ownerId)}: audit ${a.clientId}`));
        return void (await client.postText(m.chatId, [`${apps.length} apps are called "${query}". Say which one by its client ID:`, ...lines].join('\n')));
      }
      const app = apps[0]!;
      const entries = await audit.forApp(app.clientId);
      if (entries.length === 0) return void (await client.postText(m.chatId, `**${app.appName}** has no approval history.`));
      const lines = await Promise.all(
        entries.map(async (e) => {
          const who = e.actorId ? await personName(client, e.actorId) : 'Registrar';
          const what =
            e.event === 'refused'
              ? `${WORDS[e.event]} a click by ${who} (${e.reason ?? ''})`
              : `${WORDS[e.event]} by ${who}: ${e.scopes.join(', ')}${e.rejected?.length ? `; rejected ${e.rejected.join(', ')}` : ''}`;
          return `• ${utc(e.at)}: ${what}${e.reason && e.event !== 'refused' ? ` (reason: ${e.reason})` : ''}`;
        }),
      );
      await client.postText(m.chatId, [`Approval history of **${app.appName}** (${app.clientId}):`, ...lines].join('\n'));
    },
  };

  return [pending, auditCommand];
}
