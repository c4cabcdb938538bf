/**
 * Bot install and uninstall (contract 1, 3.7).
 *
 * Install creates the bot extension (also a Person: first name = app name, last name "Bot"),
 * a permanent token, its PersonalChat and membership of "All Employees", then hands the
 * token over: private app → form POST of the token to the redirect URI; public app → GET
 * with a one-time `code` the bot exchanges at `/restapi/oauth/token`.
 */
import type { ChatService } from './chats.js';
import type { EmulatorContext } from './context.js';
import type { Deliverer } from './deliver.js';
import type { Directory } from './directory.js';
import { EmulatorError } from './errors.js';
import type { OutboundHttp } from './http-out.js';
import { randomSecret } from './ids.js';
import type { Bot } from './model.js';
import type { SubscriptionService } from './subscriptions.js';

/** Scope string of bot tokens (CC Bot.ts capture, contract 1.2). */
export const BOT_SCOPE = 'EditExtensions SubscriptionWebhook Glip Accounts';

/** Input of `installBot`. */
export interface InstallBotInput {
  clientId: string;
  accountId: string;
  installerId: string;
  /** The next N subscription creates with this bot's token fail with SUB-406. */
  subscribeFailures?: number;
  /** Subscription creates fail with SUB-406 until this many ms (per `now()`) after install. */
  botReadyAfterMs?: number;
}

/** Result of `installBot`. */
export interface InstallResult {
  botId: string;
  accessToken: string;
  /** HTTP status the bot answered at its redirect URI; 0 when it did not answer. */
  status: number;
  /** Why the redirect call got no answer (connection refused, timeout). */
  error?: string;
}

/** Input of `uninstallBot`. */
export interface UninstallBotInput {
  clientId: string;
  accountId: string;
}

/** Installs and removes bots. */
export class InstallService {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly directory: Directory,
    private readonly chats: ChatService,
    private readonly deliverer: Deliverer,
    private readonly subscriptions: SubscriptionService,
    private readonly http: OutboundHttp,
  ) {}

  /** The enabled bot of an app in an account, if installed. */
  activeBot(clientId: string, accountId: string): Bot | undefined {
    return Object.values(this.ctx.store.data.bots).find(
      (b) => b.clientId === clientId && b.accountId === accountId && b.status === 'Enabled',
    );
  }

  /** Installs `clientId` into `accountId` and delivers the token to the bot. */
  async installBot(input: InstallBotInput): Promise<InstallResult> {
    const app = this.directory.app(input.clientId);
    const account = this.directory.account(input.accountId);
    const installer = this.directory.person(input.installerId);
    if (installer.companyId !== account.id) {
      throw new EmulatorError('EMU_INVALID', `installer ${installer.id} is not in account ${account.id}`);
    }
    if (this.activeBot(app.clientId, account.id) !== undefined) {
      throw new EmulatorError('EMU_CONFLICT', `${app.name} is already installed in account ${account.id}`);
    }
    const data = this.ctx.store.data;
    const botId = this.ctx.store.nextId();
    this.directory.insertPerson(account, botId, app.name, 'Bot', `bot-${botId}@bots.emulator.invalid`);
    const personal = this.chats.insertChat(account.id, 'Personal', [botId], null);
    const accessToken = randomSecret(48);
    data.tokens[accessToken] = {
      botId,
      clientId: app.clientId,
      accountId: account.id,
      scope: BOT_SCOPE,
      issuedAt: this.ctx.iso(),
      revoked: false,
    };
    data.bots[botId] = {
      id: botId,
      clientId: app.clientId,
      accountId: account.id,
      installerId: installer.id,
      extensionNumber: '',
      status: 'Enabled',
      installTime: this.ctx.iso(),
      personalChatId: personal.id,
      welcomePending: true,
      subscribeFailuresLeft: input.subscribeFailures ?? 0,
      readyAt: input.botReadyAfterMs === undefined ? null : this.ctx.now() + input.botReadyAfterMs,
    };
    this.ctx.store.changed();
    this.ctx.log(`bot ${botId} of ${app.name} installed in account ${account.id}`);

    const creator = { creator_extension_id: installer.id, creator_account_id: account.id };
    const code = app.kind === 'public' ? this.issueCode(app.clientId, botId, app.redirectUri, accessToken) : '';
    try {
      const res =
        app.kind === 'private'
          ? await this.http.send({
              method: 'POST',
              url: app.redirectUri,
              headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({ access_token: accessToken, ...creator, client_id: app.clientId }).toString(),
              timeoutMs: this.ctx.options.outboundTimeoutMs,
            })
          : await this.http.send({
              method: 'GET',
              url: this.codeUrl(app.redirectUri, code, creator),
              timeoutMs: this.ctx.options.outboundTimeoutMs,
            });
      return { botId, accessToken, status: res.status };
    } catch (err) {
      return { botId, accessToken, status: 0, error: (err as Error).message };
    }
  }

  /** Sends the extension Delete event, then revokes the token and removes the subscriptions. */
  async uninstallBot(input: UninstallBotInput): Promise<void> {
    const bot = this.activeBot(input.clientId, input.accountId);
    if (bot === undefined) {
      throw new EmulatorError('EMU_NOT_FOUND', `app ${input.clientId} is not installed in account ${input.accountId}`);
    }
    await this.deliverer.notifyBot(bot.id, 'extension', { extensionId: bot.id, eventType: 'Delete', ownerId: bot.id });
    const data = this.ctx.store.data;
    bot.status = 'Deleted';
    for (const token of Object.values(data.tokens)) if (token.botId === bot.id) token.revoked = true;
    for (const code of Object.values(data.codes)) if (code.botId === bot.id) code.used = true;
    for (const sub of Object.values(data.subscriptions)) if (sub.botId === bot.id) this.subscriptions.drop(sub.id);
    for (const chat of Object.values(data.chats)) {
      if (chat.members.includes(bot.id)) chat.members = chat.members.filter((id) => id !== bot.id);
    }
    this.ctx.store.changed();
    this.ctx.log(`bot ${bot.id} uninstalled`);
  }

  private issueCode(clientId: string, botId: string, redirectUri: string, accessToken: string): string {
    const code = randomSecret(24);
    const issuedAt = this.ctx.now();
    this.ctx.store.data.codes[code] = { clientId, botId, redirectUri, accessToken, issuedAt, used: false };
    this.ctx.store.changed();
    return code;
  }

  private codeUrl(redirectUri: string, code: string, creator: Record<string, string>): string {
    const url = new URL(redirectUri);
    url.searchParams.set('code', code);
    for (const [k, v] of Object.entries(creator)) url.searchParams.set(k, v);
    return url.toString();
  }
}
