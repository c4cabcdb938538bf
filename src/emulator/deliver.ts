/**
 * Notification routing and delivery (contract 2.4, 3.1): an event for a bot goes to every
 * live subscription of that bot whose filters match, as the envelope
 * `{uuid, event, timestamp, subscriptionId, ownerId, body}`, over WebHook or WebSocket.
 * A WebHook delivery carries the subscription's verification token in the header the
 * `deliveryTokenHeader` option names (the docs have named both, contract appendix).
 * Deliveries to one subscription are serialised so a bot sees its events in order.
 */
import type { EmulatorContext } from './context.js';
import { matchingFilter, type EventKind } from './event-filters.js';
import { OutboundError, type OutboundHttp } from './http-out.js';
import { numericUuid } from './ids.js';
import type { SubscriptionRecord, Transport } from './model.js';

/** The notification envelope (contract 3.1). */
export interface NotificationEnvelope {
  uuid: string;
  event: string;
  timestamp: string;
  subscriptionId: string;
  ownerId: string;
  body: object;
}

/** What happened to one notification. */
export interface DeliveryRecord {
  id: number;
  time: string;
  transport: Transport;
  subscriptionId: string;
  botId: string;
  /** WebHook URL, or null for WebSocket. */
  address: string | null;
  event: string;
  eventType: string | null;
  envelope: NotificationEnvelope;
  /** 'buffered': the WebSocket was down; it is replayed if the session recovers. */
  outcome: 'delivered' | 'failed' | 'buffered';
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** How the WebSocket gateway reports a send. */
export interface WsSendResult {
  outcome: 'delivered' | 'failed' | 'buffered';
  error?: string;
}

/** Implemented by the WebSocket gateway. */
export interface WsTransport {
  sendNotification(sub: SubscriptionRecord, envelope: NotificationEnvelope): Promise<WsSendResult>;
}

/** Oldest delivery records are dropped beyond this, so a long-running sandbox stays bounded. */
export const MAX_RECORDS = 10_000;

/** Sends notifications and records each attempt. */
export class Deliverer {
  /** Every notification attempt, oldest first. */
  readonly records: DeliveryRecord[] = [];
  private ws: WsTransport | undefined;
  private readonly queues = new Map<string, Promise<unknown>>();
  private nextId = 1;

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly http: OutboundHttp,
  ) {}

  /** Connects the WebSocket gateway (created after the deliverer). */
  setWsTransport(ws: WsTransport): void {
    this.ws = ws;
  }

  /** True if `sub` currently receives notifications. */
  isLive(sub: SubscriptionRecord): boolean {
    const bot = this.ctx.store.data.bots[sub.botId];
    if (bot?.status !== 'Enabled' || sub.status !== 'Active') return false;
    return sub.transport === 'WebSocket' || sub.expiresAt > this.ctx.now();
  }

  /** Notifies every live subscription of `botId` that matches `kind`; resolves when all were attempted. */
  async notifyBot(botId: string, kind: EventKind, body: object): Promise<DeliveryRecord[]> {
    const subs = Object.values(this.ctx.store.data.subscriptions).filter((s) => s.botId === botId);
    const results = await Promise.all(subs.map((sub) => this.notifySubscription(sub, kind, body)));
    return results.filter((r): r is DeliveryRecord => r !== undefined);
  }

  /** Notifies one subscription if it is live and matches `kind`. */
  notifySubscription(
    sub: SubscriptionRecord,
    kind: EventKind,
    body: object,
  ): Promise<DeliveryRecord | undefined> {
    const bot = this.ctx.store.data.bots[sub.botId];
    if (bot === undefined || !this.isLive(sub)) return Promise.resolve(undefined);
    const filter = matchingFilter(sub.eventFilters, kind, { botId: bot.id, accountId: bot.accountId });
    if (filter === undefined) return Promise.resolve(undefined);
    // The extension event names the concrete extension (contract 3.7).
    const event =
      filter.kind === 'extension' ? `/restapi/v1.0/account/~/extension/${bot.id}` : filter.filter;
    const envelope: NotificationEnvelope = {
      uuid: numericUuid(),
      event,
      timestamp: this.ctx.iso(),
      subscriptionId: sub.id,
      ownerId: bot.id,
      body,
    };
    const previous = this.queues.get(sub.id) ?? Promise.resolve();
    const next = previous.then(() => this.send(sub, envelope));
    this.queues.set(sub.id, next);
    void next.finally(() => {
      if (this.queues.get(sub.id) === next) this.queues.delete(sub.id);
    });
    return next;
  }

  /** Marks a subscription Blacklisted; it gets no more notifications (contract 2.5). */
  blacklist(sub: SubscriptionRecord, reason: string): void {
    sub.status = 'Blacklisted';
    sub.blacklistedData = { reason, blacklistedAt: this.ctx.iso() };
    this.ctx.store.changed();
    this.ctx.log(`subscription ${sub.id} blacklisted: ${reason}`);
  }

  private async send(sub: SubscriptionRecord, envelope: NotificationEnvelope): Promise<DeliveryRecord> {
    await this.ctx.store.flush(); // what the event reports is saved before the bot hears of it
    const started = this.ctx.now();
    const eventType = (envelope.body as { eventType?: unknown }).eventType;
    const base = {
      id: this.nextId++,
      time: this.ctx.iso(started),
      transport: sub.transport,
      subscriptionId: sub.id,
      botId: sub.botId,
      address: sub.address,
      event: envelope.event,
      eventType: typeof eventType === 'string' ? eventType : null,
      envelope,
    };
    let result: Pick<DeliveryRecord, 'outcome' | 'status' | 'error'>;
    if (sub.transport === 'WebSocket') {
      const sent = this.ws
        ? await this.ws.sendNotification(sub, envelope)
        : { outcome: 'failed' as const, error: 'no WebSocket gateway' };
      result = { outcome: sent.outcome, status: null, error: sent.error ?? null };
    } else {
      result = await this.postWebhook(sub, envelope);
    }
    const record: DeliveryRecord = { ...base, ...result, durationMs: this.ctx.now() - started };
    this.records.push(record);
    if (this.records.length > MAX_RECORDS) this.records.shift();
    this.ctx.log(
      `notify ${sub.transport} ${base.eventType ?? envelope.event} -> ${record.status ?? record.outcome}`,
    );
    this.countFailure(sub, record);
    return record;
  }

  private async postWebhook(
    sub: SubscriptionRecord,
    envelope: NotificationEnvelope,
  ): Promise<Pick<DeliveryRecord, 'outcome' | 'status' | 'error'>> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=UTF-8',
      'User-Agent': 'RingCentral-Webhook/8.3',
    };
    if (sub.verificationToken !== null) headers[this.ctx.options.deliveryTokenHeader] = sub.verificationToken;
    try {
      const res = await this.http.send({
        method: 'POST',
        url: sub.address ?? '',
        headers,
        body: JSON.stringify(envelope),
        timeoutMs: this.ctx.options.outboundTimeoutMs,
        maxBodyBytes: 1024 * 1024,
      });
      const ok = res.status >= 200 && res.status < 300;
      return { outcome: ok ? 'delivered' : 'failed', status: res.status, error: ok ? null : `HTTP ${res.status}` };
    } catch (err) {
      // "Read timed out" is the reason the platform records for slow receivers (contract 2.5).
      const timedOut = err instanceof OutboundError && err.kind === 'timeout';
      return { outcome: 'failed', status: null, error: timedOut ? 'Read timed out' : (err as Error).message };
    }
  }

  /** Optional blacklisting after N consecutive failures (option `blacklistAfterFailures`). */
  private countFailure(sub: SubscriptionRecord, record: DeliveryRecord): void {
    if (sub.transport !== 'WebHook') return;
    if (record.outcome === 'delivered') {
      if (sub.consecutiveFailures !== 0) {
        sub.consecutiveFailures = 0;
        this.ctx.store.changed();
      }
      return;
    }
    sub.consecutiveFailures += 1;
    this.ctx.store.changed();
    const limit = this.ctx.options.blacklistAfterFailures;
    if (limit > 0 && sub.consecutiveFailures >= limit && sub.status === 'Active') {
      this.blacklist(sub, record.error ?? 'delivery failed');
    }
  }
}
