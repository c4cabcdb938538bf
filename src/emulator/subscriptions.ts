/**
 * Subscription lifecycle shared by the REST routes (WebHook) and the WebSocket gateway
 * (contract 2.2–2.6).
 *
 * Emulator choices where the contract is UNCONFIRMED:
 * - `expiresIn` omitted → 604800 s (7 days); values above the current spec's WebHook maximum
 *   315360000 s are capped to it, not rejected (bots in the wild ask for 473040000/500000000).
 * - An expired WebHook subscription gets no notifications; GET/PUT/renew/DELETE on it answer
 *   404 SUB-507, and it is left out of the list. WebSocket subscriptions do not expire while
 *   their session lives (they "need no renewal"); their `expiresIn` is reported as 86400 s.
 * - SUB-406 (bot not ready) is answered with HTTP 403, as in the error table.
 * - Renewal reminder body: `{id, expirationTime, expiresIn}` (shape UNCONFIRMED).
 */
import { z } from 'zod';
import type { EmulatorContext } from './context.js';
import type { Deliverer } from './deliver.js';
import { invalidFilters, matchingFilter } from './event-filters.js';
import { rcError } from './errors.js';
import { probeWebhook } from './handshake.js';
import type { OutboundHttp } from './http-out.js';
import { uuid } from './ids.js';
import { getOwn, type Bot, type SubscriptionRecord } from './model.js';
import { chatEventBody, subscriptionInfo, type SubscriptionInfo } from './payloads.js';

/** Default lifetime when `expiresIn` is omitted (emulator choice). */
export const DEFAULT_EXPIRES_IN = 604_800;
/** Current spec's WebHook maximum (EX); larger requests are capped. */
export const MAX_EXPIRES_IN = 315_360_000;
/** Lifetime reported for WebSocket subscriptions (the WSG absolute timeout). */
export const WS_EXPIRES_IN = 86_400;

const deliveryModeSchema = z.object({
  transportType: z.string(),
  address: z.string().optional(),
  verificationToken: z.string().optional(),
  encryption: z.boolean().optional(),
});

const createSchema = z.object({
  eventFilters: z.array(z.string()).optional(),
  deliveryMode: deliveryModeSchema,
  expiresIn: z.number().int().positive().optional(),
});

const updateSchema = z
  .object({
    eventFilters: z.array(z.string()).optional(),
    deliveryMode: deliveryModeSchema.partial().optional(),
    expiresIn: z.number().int().positive().optional(),
  })
  .optional();

/** Where a subscription request came from. */
export type SubscriptionOrigin = { transport: 'WebHook' } | { transport: 'WebSocket'; session: string };

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? undefined);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw rcError.invalidParameter(issue?.path.map(String).join('.') || 'body');
  }
  return result.data;
}

/** Creates, reads, renews and deletes subscriptions. */
export class SubscriptionService {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly deliverer: Deliverer,
    private readonly http: OutboundHttp,
  ) {}

  /** The wire view of a subscription. */
  info(sub: SubscriptionRecord): SubscriptionInfo {
    return subscriptionInfo(this.ctx.baseUrl, sub, this.ctx.now());
  }

  /** True once a WebHook subscription passed its expiration time. */
  isExpired(sub: SubscriptionRecord): boolean {
    return sub.transport === 'WebHook' && sub.expiresAt <= this.ctx.now();
  }

  /** POST /restapi/v1.0/subscription (or its WebSocket ClientRequest). */
  async create(bot: Bot, body: unknown, origin: SubscriptionOrigin): Promise<SubscriptionRecord> {
    const req = parse(createSchema, body);
    if (req.deliveryMode.transportType !== origin.transport) {
      // WebSocket subscriptions are made over the socket; other transports are not emulated.
      throw rcError.invalidParameter('deliveryMode.transportType');
    }
    const filters = req.eventFilters ?? [];
    const bad = invalidFilters(filters);
    if (filters.length === 0 || bad.length > 0) throw rcError.invalidEventFilters(bad);
    this.checkBotReady(bot);
    const now = this.ctx.now();
    let address: string | null = null;
    let verificationToken: string | null = null;
    let expiresIn = WS_EXPIRES_IN;
    if (origin.transport === 'WebHook') {
      address = this.checkAddress(req.deliveryMode.address);
      verificationToken = req.deliveryMode.verificationToken ?? null;
      await this.handshake(address, verificationToken);
      expiresIn = Math.min(req.expiresIn ?? DEFAULT_EXPIRES_IN, MAX_EXPIRES_IN);
    }
    const sub: SubscriptionRecord = {
      id: uuid(),
      botId: bot.id,
      eventFilters: [...filters],
      transport: origin.transport,
      address,
      verificationToken,
      expiresIn,
      expiresAt: now + expiresIn * 1000,
      creationTime: this.ctx.iso(now),
      status: 'Active',
      blacklistedData: null,
      consecutiveFailures: 0,
      wsSession: origin.transport === 'WebSocket' ? origin.session : null,
      lastReminderAt: null,
    };
    this.ctx.store.data.subscriptions[sub.id] = sub;
    this.ctx.store.changed();
    if (bot.welcomePending) this.sendWelcome(bot, sub);
    return sub;
  }

  /** The bot's subscription, or 404 (another bot's subscriptions are invisible). */
  get(bot: Bot, id: string): SubscriptionRecord {
    const sub = getOwn(this.ctx.store.data.subscriptions, id);
    if (sub === undefined || sub.botId !== bot.id) throw rcError.notFound('subscriptionId');
    if (this.isExpired(sub)) throw rcError.subscriptionExpired(id);
    return sub;
  }

  /** The bot's current subscriptions. */
  list(bot: Bot): SubscriptionRecord[] {
    return Object.values(this.ctx.store.data.subscriptions).filter(
      (s) => s.botId === bot.id && !this.isExpired(s),
    );
  }

  /** PUT: renews and may change filters or the delivery address (which is probed again). */
  async update(bot: Bot, id: string, body: unknown): Promise<SubscriptionRecord> {
    const sub = this.get(bot, id);
    const req = parse(updateSchema, body) ?? {};
    if (req.eventFilters !== undefined) {
      const bad = invalidFilters(req.eventFilters);
      if (req.eventFilters.length === 0 || bad.length > 0) throw rcError.invalidEventFilters(bad);
    }
    const mode = req.deliveryMode;
    if (sub.transport === 'WebHook' && mode !== undefined) {
      const address = mode.address === undefined ? sub.address ?? '' : this.checkAddress(mode.address);
      const token = mode.verificationToken ?? sub.verificationToken;
      if (address !== sub.address || token !== sub.verificationToken) {
        await this.handshake(address, token);
        sub.address = address;
        sub.verificationToken = token;
      }
    }
    if (req.eventFilters !== undefined) sub.eventFilters = [...req.eventFilters];
    if (sub.transport === 'WebHook') sub.expiresIn = Math.min(req.expiresIn ?? sub.expiresIn, MAX_EXPIRES_IN);
    return this.renewRecord(sub);
  }

  /** POST /{id}/renew. A Blacklisted subscription stays Blacklisted (contract 2.5). */
  renew(bot: Bot, id: string): SubscriptionRecord {
    return this.renewRecord(this.get(bot, id));
  }

  /** DELETE. */
  remove(bot: Bot, id: string): void {
    this.get(bot, id);
    this.drop(id);
  }

  /** Removes a subscription without checks (uninstall, dead WebSocket sessions). */
  drop(id: string): void {
    if (getOwn(this.ctx.store.data.subscriptions, id) === undefined) return;
    delete this.ctx.store.data.subscriptions[id];
    this.ctx.store.changed();
  }

  /** Sends due renewal reminders (filter `/restapi/v1.0/subscription/~?threshold=&interval=`). */
  async sendReminders(): Promise<void> {
    const now = this.ctx.now();
    const due: Promise<unknown>[] = [];
    for (const sub of Object.values(this.ctx.store.data.subscriptions)) {
      const bot = this.ctx.store.data.bots[sub.botId];
      if (bot === undefined || !this.deliverer.isLive(sub) || sub.transport !== 'WebHook') continue;
      const filter = matchingFilter(sub.eventFilters, 'reminder', { botId: bot.id, accountId: bot.accountId });
      if (filter?.kind !== 'reminder' || now < sub.expiresAt - filter.thresholdSec * 1000) continue;
      if (sub.lastReminderAt !== null && now - sub.lastReminderAt < filter.intervalSec * 1000) continue;
      sub.lastReminderAt = now;
      this.ctx.store.changed();
      const body = {
        id: sub.id,
        expirationTime: new Date(sub.expiresAt).toISOString(),
        expiresIn: Math.max(0, Math.round((sub.expiresAt - now) / 1000)),
      };
      due.push(this.deliverer.notifySubscription(sub, 'reminder', body));
    }
    await Promise.all(due);
  }

  private renewRecord(sub: SubscriptionRecord): SubscriptionRecord {
    sub.expiresAt = this.ctx.now() + sub.expiresIn * 1000;
    sub.lastReminderAt = null;
    this.ctx.store.changed();
    return sub;
  }

  /** SUB-406 while the bot user is "not ready yet" (contract 1.4), as configured at install. */
  private checkBotReady(bot: Bot): void {
    if (bot.subscribeFailuresLeft > 0) {
      bot.subscribeFailuresLeft -= 1;
      this.ctx.store.changed();
      throw rcError.subscriptionForbidden();
    }
    if (bot.readyAt !== null && this.ctx.now() < bot.readyAt) throw rcError.subscriptionForbidden();
  }

  private checkAddress(address: string | undefined): string {
    try {
      const url = new URL(address ?? '');
      // Stored as given: the address is echoed back in SubscriptionInfo.
      if ((url.protocol === 'http:' || url.protocol === 'https:') && address !== undefined) return address;
    } catch {
      // fall through
    }
    throw rcError.invalidParameter('deliveryMode.address');
  }

  private async handshake(address: string, verificationToken: string | null): Promise<void> {
    const result = await probeWebhook(this.http, {
      address,
      verificationToken,
      timeoutMs: this.ctx.options.handshakeTimeoutMs,
    });
    if (!result.ok) {
      this.ctx.log(`Validation-Token handshake failed: ${result.reason}`);
      throw rcError.webhookInvalid(result.reason);
    }
  }

  /**
   * Right after install the bot receives an extension Create event and GroupJoined for its
   * PersonalChat and "All Employees" (contract 1.4); they reach the first subscription it
   * makes, shortly after that subscription's answer.
   */
  private sendWelcome(bot: Bot, sub: SubscriptionRecord): void {
    bot.welcomePending = false;
    this.ctx.store.changed();
    this.ctx.later(async () => {
      await this.deliverer.notifySubscription(sub, 'extension', {
        extensionId: bot.id,
        eventType: 'Create',
        ownerId: bot.id,
      });
      const account = this.ctx.store.data.accounts[bot.accountId];
      for (const chatId of [bot.personalChatId, account?.everyoneChatId]) {
        const chat = chatId === undefined ? undefined : this.ctx.store.data.chats[chatId];
        if (chat?.members.includes(bot.id)) {
          await this.deliverer.notifySubscription(sub, 'chats', chatEventBody(chat, 'GroupJoined'));
        }
      }
    }, 20);
  }
}
