import { randomUUID } from 'node:crypto';
import { SDK } from '@ringcentral/sdk';
import type { Clock } from '../lib/clock.js';
import { sleep as realSleep } from '../lib/clock.js';
import type { Keys } from '../lib/crypto-keys.js';
import { AppError } from '../lib/errors.js';
import { namedLock } from '../store/named-lock.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/store.js';
import type { ChatClient, SubscriptionInfo } from './chat-client.js';
import { createRcClient, groupOfRequest, RingCentralError, type RcClient } from './rc-client.js';
import { createRateGate, type RateGate } from './rate-gate.js';
import type { RetryOptions } from './retry.js';
import { rateGroupOf, type RateGroup } from '../metrics/metrics.js';
import { subscribeOverWebSocket, type WsHandle } from './websocket-delivery.js';

/**
 * One bot installation per RingCentral account: its (encrypted) permanent token, the bot's
 * extension id, and the subscription that feeds the bot its events.
 */
export interface Installation {
  accountId: string;
  botId: string;
  tokenSealed: string;
  creatorExtensionId: string | null;
  clientId: string | null;
  installedAt: string;
  subscription: { id: string; transport: 'WebHook' | 'WebSocket'; expirationTime: string | null } | null;
}

export const EVENT_FILTERS = ['/team-messaging/v1/posts', '/team-messaging/v1/chats', '/restapi/v1.0/account/~/extension/~'];

export interface InstallationsOptions {
  store: Store;
  keys: Keys;
  log: Logger;
  clock: Clock;
  serverUrl: string;
  clientId: string;
  clientSecret: string | undefined;
  delivery: 'webhook' | 'websocket';
  /** Where RingCentral sends webhooks; read lazily because tests learn the port after listening. */
  webhookAddress: () => string;
  redirectUri: () => string;
  verificationToken: string;
  /** Called with every WebSocket notification (webhooks arrive through the HTTP route instead). */
  onNotification: (envelope: unknown) => void;
  /** Subscription lifetime asked for; renewed when a quarter of it is left. */
  subscriptionTtlSeconds?: number;
  /** SUB-406 ("bot user not ready") retry pace: RingCentral's frameworks retry every 10 s. */
  sub406RetryMs?: number;
  sub406Attempts?: number;
  retry?: RetryOptions;
  sleep?: (ms: number) => Promise<void>;
  /** Wraps the client handed to the bot's features (the outbox, src/delivery/); RingCentral calls of the installations themselves go straight. */
  wrapClient?: (accountId: string, raw: ChatClient) => ChatClient;
  /**
   * Told of every 429 RingCentral answers, with its rate-limit group (metrics count them): the
   * account's rate gate reports them all, the WebSocket token call's included, and waits them out.
   */
  onRateLimited?: (group: RateGroup) => void;
}

export interface Installations {
  installPrivate(input: { accessToken: string; creatorExtensionId?: string | undefined; creatorAccountId?: string | undefined; clientId?: string | undefined }): Promise<Installation>;
  installPublic(input: { code: string; creatorExtensionId?: string | undefined }): Promise<Installation>;
  get(accountId: string): Promise<Installation | undefined>;
  byBotId(botId: string): Promise<Installation | undefined>;
  bySubscriptionId(subscriptionId: string): Promise<Installation | undefined>;
  list(): Promise<Installation[]>;
  /** The account's client for the bot's features: posts and card changes go through the outbox. */
  client(installation: Installation): Promise<ChatClient>;
  /** The account's client talking to RingCentral directly (the outbox sends through it). */
  rawClient(installation: Pick<Installation, 'accountId' | 'tokenSealed'>): Promise<ChatClient>;
  remove(accountId: string, reason: string): Promise<void>;
  /** Checks every installation's subscription: recreates missing, expired or Blacklisted ones, renews those close to expiry. */
  maintain(): Promise<void>;
  /** Waits for subscription work started by installs (tests and shutdown use it). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function createInstallations(options: InstallationsOptions): Installations {
  const { store, keys, log, clock, serverUrl, clientId, clientSecret, delivery, verificationToken } = options;
  const ttl = options.subscriptionTtlSeconds ?? 7 * 24 * 3600;
  const sleep = options.sleep ?? realSleep;
  const records = store.collection<Installation>('installations');
  const clients = new Map<string, Promise<RcClient>>();
  const sockets = new Map<string, WsHandle>();
  /** WebSocket subscribes under way: close() waits for them, so no socket outlives it. */
  const opening = new Set<Promise<unknown>>();
  const pending = new Set<Promise<unknown>>();
  // Subscription work for an account runs one at a time: a check must not create a second
  // subscription while an install is still waiting out SUB-406.
  const subscriptionLock = namedLock(store, 'subscription');
  let closed = false;

  function track<T>(p: Promise<T>): Promise<T> {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  }

  /**
   * One rate gate per account, kept for the life of the process: RingCentral counts per bot user,
   * so a reinstall or a new client of the same account spends the same budget.
   */
  const gates = new Map<string, RateGate>();
  const newGate = (accountId: string) =>
    createRateGate({
      onRateLimited: (group) => {
        log.warn('RingCentral rate limit reached; the group waits out Retry-After', { accountId, group });
        options.onRateLimited?.(rateGroupOf(group, 'unknown'));
      },
    });
  function gateFor(accountId: string): RateGate {
    let gate = gates.get(accountId);
    if (!gate) {
      gate = newGate(accountId);
      gates.set(accountId, gate);
    }
    return gate;
  }
  /** Public-app code exchanges carry the app's credentials, not a bot token: one Auth budget for the app. */
  const appGate = newGate('app');

  const newClient = (accessToken: string, cachePrefix: string, accountId: string, gate: RateGate) =>
    createRcClient({
      serverUrl,
      clientId,
      clientSecret,
      accessToken,
      cachePrefix,
      gate,
      log: log.child({ accountId }),
      ...(options.retry ? { retry: options.retry } : {}),
    });

  function clientFor(inst: Pick<Installation, 'accountId' | 'tokenSealed'>) {
    let c = clients.get(inst.accountId);
    if (!c) {
      const accessToken = keys.decrypt(inst.tokenSealed);
      log.addSecret(accessToken);
      c = newClient(accessToken, `registrar-${inst.accountId}-`, inst.accountId, gateFor(inst.accountId));
      clients.set(inst.accountId, c);
    }
    return c;
  }

  /** Forgets an account's client: its SDK token cache and the token the logger masks. */
  async function dropClient(accountId: string) {
    const c = clients.get(accountId);
    clients.delete(accountId);
    const client = await c?.catch(() => undefined);
    if (!client) return;
    log.removeSecret(client.accessToken);
    await client.dispose();
  }

  /**
   * Asks RingCentral whose token this is, with a throwaway client that leaves nothing behind:
   * the install route is unauthenticated, so a junk token must cost nothing that stays.
   */
  async function whoseToken(accessToken: string) {
    // Its own gate: whose budget this is, is what the call finds out. The account's gate learns
    // of the call from the X-Rate-Limit-Remaining of its own next answer.
    const gate = newGate('install');
    const probe = await newClient(accessToken, `registrar-probe-${randomUUID()}-`, 'install', gate);
    try {
      return await probe.getSelf();
    } finally {
      gate.close();
      await probe.dispose();
    }
  }

  async function completeInstall(accessToken: string, extra: { creatorExtensionId?: string | undefined; clientId?: string | undefined; accountHint?: string | undefined }) {
    const self = await whoseToken(accessToken);
    const tokenSealed = keys.encrypt(accessToken);
    const accountId = self.accountId || extra.accountHint;
    if (!accountId) throw new AppError('INSTALL_NO_ACCOUNT', 'could not learn the account of the installed bot', { status: 400 });
    const previous = await records.get(accountId);
    if (previous && previous.botId !== self.id && (await tokenStillWorks(previous))) {
      // The install route cannot tell whose token it was handed: never let a token of some other
      // bot in the account displace a working installation.
      throw new AppError('INSTALL_CONFLICT', 'this account already has a working installation of another bot extension', { status: 409 });
    }
    if (previous) await dropSubscription(previous).catch(() => undefined); // a reinstall replaces the old token
    await dropClient(accountId);
    await closeSocket(accountId);
    const installation: Installation = {
      accountId,
      botId: self.id,
      tokenSealed,
      creatorExtensionId: extra.creatorExtensionId ?? null,
      clientId: extra.clientId ?? null,
      installedAt: new Date(clock.now()).toISOString(),
      subscription: null,
    };
    await records.put(accountId, installation);
    log.info('bot installed', { accountId, botId: self.id });
    // Subscribing can take a while (SUB-406 until the bot user exists); the installer is not kept waiting.
    track(subscriptionLock.run(accountId, () => subscribe(installation)).catch((err) => log.error('subscription failed', { accountId, err })));
    return installation;
  }

  /** False only when RingCentral says the stored token is dead (the bot was removed). */
  async function tokenStillWorks(inst: Installation): Promise<boolean> {
    try {
      await (await clientFor(inst)).getSelf();
      return true;
    } catch (err) {
      return !(err instanceof RingCentralError && (err.status === 401 || err.status === 404));
    }
  }

  async function subscribe(inst: Installation): Promise<void> {
    const client = await clientFor(inst);
    const attempts = options.sub406Attempts ?? 30;
    for (let attempt = 1; ; attempt++) {
      if (closed) return;
      try {
        let subscription: Installation['subscription'];
        if (delivery === 'websocket') {
          const handle = await openSocket(client.sdk, inst);
          if (!handle) return; // closed meanwhile
          subscription = { id: handle.subscriptionId ?? '', transport: 'WebSocket', expirationTime: null };
        } else {
          const info = await client.createSubscription({
            eventFilters: EVENT_FILTERS,
            deliveryMode: { transportType: 'WebHook', address: options.webhookAddress(), verificationToken },
            expiresIn: ttl,
          });
          subscription = { id: info.id, transport: 'WebHook', expirationTime: info.expirationTime ?? null };
        }
        await records.update(inst.accountId, (cur) => cur && cur.botId === inst.botId ? { ...cur, subscription } : undefined);
        log.info('subscribed', { accountId: inst.accountId, subscriptionId: subscription.id, transport: subscription.transport });
        return;
      } catch (err) {
        const code = err instanceof RingCentralError ? err.errorCode : undefined;
        if ((code === 'SUB-406' || code === 'OAU-232') && attempt < attempts) {
          log.info('bot user not ready yet, will retry subscribing', { accountId: inst.accountId, attempt });
          await sleep(options.sub406RetryMs ?? 10_000);
          continue;
        }
        throw err;
      }
    }
  }

  /**
   * Subscribes over a WebSocket and keeps the handle, unless close() came first: then the socket
   * is closed at once. Deciding and storing happen in one step, so close() either finds the
   * handle in `sockets` or waits for this to close it.
   */
  async function openSocket(sdk: SDK, inst: Installation): Promise<WsHandle | undefined> {
    const { accountId } = inst;
    const onLost = (err: RingCentralError) => {
      log.warn('WebSocket subscription lost, subscribing anew', { accountId, err });
      track(subscriptionLock.run(accountId, () => maintainOne(inst)).catch((e) => log.error('subscription check failed', { accountId, err: e })));
    };
    const attempt = subscribeOverWebSocket(sdk, EVENT_FILTERS, options.onNotification, { log: log.child({ accountId }), onLost }).then(async (handle) => {
      if (closed) {
        await handle.close();
        return undefined;
      }
      const previous = sockets.get(accountId);
      sockets.set(accountId, handle);
      if (previous && previous !== handle) await previous.close();
      return handle;
    });
    opening.add(attempt);
    try {
      return await attempt;
    } finally {
      opening.delete(attempt);
    }
  }

  async function dropSubscription(inst: Installation) {
    await closeSocket(inst.accountId);
    if (inst.subscription?.transport === 'WebHook') await (await clientFor(inst)).deleteSubscription(inst.subscription.id);
  }

  async function closeSocket(accountId: string) {
    const s = sockets.get(accountId);
    sockets.delete(accountId);
    await s?.close();
  }

  function needsRecreate(info: SubscriptionInfo | undefined): boolean {
    if (!info || info.status !== 'Active') return true;
    // BOT_PUBLIC_URL changed since it was made: deliveries would go to the old address.
    if (info.deliveryMode?.address && info.deliveryMode.address !== options.webhookAddress()) return true;
    return info.expirationTime !== undefined && Date.parse(info.expirationTime) <= clock.now();
  }

  async function maintainOne(stale: Installation) {
    const inst = await records.get(stale.accountId); // re-read: it may have changed while we waited
    if (!inst) return;
    if (delivery === 'websocket') {
      // The WebSocket client renews and recovers by itself; only a missing or lost socket needs work.
      const handle = sockets.get(inst.accountId);
      if (handle && !handle.lost) return;
      await closeSocket(inst.accountId);
      await subscribe(inst);
      return;
    }
    const client = await clientFor(inst);
    const info = inst.subscription && inst.subscription.transport === 'WebHook' ? await client.getSubscription(inst.subscription.id) : undefined;
    if (needsRecreate(info)) {
      if (info) await client.deleteSubscription(info.id).catch(() => undefined); // a Blacklisted one never comes back
      log.info('recreating subscription', { accountId: inst.accountId, status: info?.status ?? 'missing' });
      await subscribe(inst);
      return;
    }
    const expires = info?.expirationTime ? Date.parse(info.expirationTime) : Infinity;
    if (info && expires - clock.now() < (ttl * 1000) / 4) {
      const renewed = await client.renewSubscription(info.id);
      await records.update(inst.accountId, (cur) =>
        cur?.subscription ? { ...cur, subscription: { ...cur.subscription, expirationTime: renewed.expirationTime ?? null } } : undefined,
      );
      log.info('subscription renewed', { accountId: inst.accountId, expirationTime: renewed.expirationTime });
    }
  }

  return {
    async installPrivate({ accessToken, creatorExtensionId, creatorAccountId, clientId: appClientId }) {
      return completeInstall(accessToken, { creatorExtensionId, clientId: appClientId, accountHint: creatorAccountId });
    },
    async installPublic({ code, creatorExtensionId }) {
      // A throwaway SDK does the code exchange (Basic client auth, exact redirect URI) and is dropped.
      const sdk = new SDK({ server: serverUrl, clientId, clientSecret: clientSecret ?? '', cachePrefix: `registrar-code-${randomUUID()}-` });
      const platform = sdk.platform();
      const send = platform.send.bind(platform);
      platform.send = (sendOptions = {}) => appGate.run(groupOfRequest(sendOptions), () => send(sendOptions));
      let accessToken: string;
      try {
        await sdk.platform().login({ code, redirect_uri: options.redirectUri() });
        accessToken = (await sdk.platform().auth().data()).access_token ?? '';
        if (!accessToken) throw new Error('token response without access_token');
      } catch (cause) {
        throw new AppError('INSTALL_CODE_REJECTED', 'RingCentral did not accept the authorization code', { status: 400, cause });
      } finally {
        await sdk.cache().clean().catch(() => undefined); // nothing of a failed (or done) exchange stays in the SDK's storage
      }
      return completeInstall(accessToken, { creatorExtensionId, clientId });
    },
    get: (accountId) => records.get(accountId),
    async byBotId(botId) {
      return (await records.find('botId', botId))[0];
    },
    async bySubscriptionId(subscriptionId) {
      return (await records.find('subscriptionId', subscriptionId))[0];
    },
    list: () => records.list(),
    client: async (inst) => {
      const raw = await clientFor(inst);
      return options.wrapClient ? options.wrapClient(inst.accountId, raw) : raw;
    },
    rawClient: (inst) => clientFor(inst),
    async remove(accountId, reason) {
      const inst = await records.get(accountId);
      if (!inst) return;
      await closeSocket(accountId);
      await records.delete(accountId);
      await dropClient(accountId);
      log.info('installation removed', { accountId, reason });
    },
    async maintain() {
      for (const inst of await records.list()) {
        if (subscriptionLock.busy(inst.accountId)) continue; // being subscribed right now
        await subscriptionLock
          .run(inst.accountId, () => maintainOne(inst))
          .catch((err) => log.error('subscription check failed', { accountId: inst.accountId, err }));
      }
    },
    async idle() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    async close() {
      closed = true;
      // Calls still waiting for budget are refused at once (a socket being opened may wait for a
      // WebSocket token): nothing is sent after close, and nothing holds shutdown up for a minute.
      for (const gate of gates.values()) gate.close();
      appGate.close();
      await Promise.allSettled([...opening]);
      for (const accountId of [...sockets.keys()]) await closeSocket(accountId);
    },
  };
}
