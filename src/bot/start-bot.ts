import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp, requestListener } from '../app.js';
import { createWebhookHandler } from '../http/webhook-route.js';
import { ConfigError, ensureDataDir, VERIFICATION_TOKEN, type Config } from '../config.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { loadKeys } from '../lib/crypto-keys.js';
import { verifyKeysAgainst } from '../lib/key-check.js';
import type { Logger } from '../lib/logger.js';
import { readOrCreateSecretFile } from '../lib/secret-file.js';
import { createInstallations, type Installations } from '../platform/installations.js';
import type { RetryOptions } from '../platform/retry.js';
import { createAppRegistry, type AppRegistry } from '../registry/app-records.js';
import { loadScopeCatalog } from '../registry/scope-catalog.js';
import { createLowdbStore } from '../store/lowdb-store.js';
import type { Store } from '../store/store.js';
import { helpCommand, type Command } from './commands.js';
import type { Services } from './context.js';
import { createNotificationHandler } from './handle-notification.js';
import { createSubmitHandler, SubmitSchema, type SubmitHandlers, type SubmitReply } from './handle-submit.js';
import { Dialog } from './dialogs.js';
import { createRegistration } from '../registration/registration.js';
import { createApprovals } from '../approvals/approvals.js';
import { createAccess } from '../access/access.js';
import { createLifecycle } from '../lifecycle/lifecycle.js';
import { removeLeftoverTempFiles } from '../lib/leftover-temp-files.js';
import { tightenDataDir } from '../lib/private-data-dir.js';
import { measure } from '../lib/time-spent.js';
import { createWorkTracker } from '../lib/work-tracker.js';
import { createRevealHider } from '../registration/reveal-hider.js';
import { pruneOld } from './housekeeping.js';
import { shutdown } from './shutdown.js';
import { startOAuth, type OAuthServer } from '../oauth/start-oauth.js';
import { createJwtCredentialCommands } from '../oauth/jwt-credentials.js';
import { useOAuthEndpoints } from '../registration/credentials-card.js';
import { createInbox, type DeliveryKind } from '../delivery/inbox.js';
import { createOutbox, type Outbox, type OutboxPolicy } from '../delivery/outbox.js';
import { outboxClient } from '../delivery/outbox-client.js';
import { createPersonLimiter } from './person-limiter.js';
import { createMetrics } from '../metrics/metrics.js';

/** A broken catalog stops start-up; one the operator pointed at is their setting to fix. */
function loadCatalog(scopesFile: string | undefined) {
  try {
    return loadScopeCatalog(scopesFile);
  } catch (err) {
    if (scopesFile) throw new ConfigError([`SCOPES_FILE: ${(err as Error).message}`]);
    throw err;
  }
}

/**
 * Listens, turning the errors an operator can fix into a ConfigError naming PORT. (Express 5's
 * app.listen hands the error to its callback as if listening had worked.)
 */
export async function listen(server: Server, port: number, host: string, setting = 'PORT'): Promise<Server> {
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new ConfigError([`${setting}: ${port} is already in use on ${host}; stop what runs there or choose another ${setting}`]));
      else if (err.code === 'EACCES') reject(new ConfigError([`${setting}: ${port} needs privileges this process does not have; choose a port above 1023`]));
      else reject(err);
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  return server;
}

export interface BotTiming {
  /** How often subscriptions are checked and renewed. */
  maintainEveryMs?: number;
  /** How often secrets due to hide and abandoned forms are looked for. */
  sweepEveryMs?: number;
  sub406RetryMs?: number;
  subscriptionTtlSeconds?: number;
  retry?: RetryOptions;
  /** How often due secrets are looked for (they are hidden on their own timer). */
  hideEveryMs?: number;
  /** How long shutdown waits for work in flight. */
  drainMs?: number;
  /** The outbox's retry pace (src/delivery/outbox.ts), and how often it looks for due messages. */
  outbox?: Partial<OutboxPolicy>;
  outboxEveryMs?: number;
  /** How long an open inbox delivery belongs to the process that took it (several processes on one store). */
  inboxLeaseMs?: number;
}

export interface StartBotOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  store?: Store;
  timing?: BotTiming;
  /** Interface to listen on: all by default (RingCentral must reach us), loopback in the sandbox and tests. */
  host?: string;
  /** Sandbox only: the app credentials come from the emulator rather than the environment. */
  app?: { clientId: string; clientSecret: string; sharedSecret: string };
  /** See Services.checkpoint: crash tests stop the process at named points. */
  checkpoint?: (name: string) => void;
  /** Told how long each click took to handle, in ms: all of it, and the bot's own share (without waiting on RingCentral). */
  observe?: (metric: 'submit', ownMs: number, totalMs: number) => void;
}

export interface RunningBot {
  url: string;
  server: Server;
  services: Services;
  installations: Installations;
  verificationToken: string;
  /** Runs the periodic subscription check now (tests call it after moving the clock). */
  maintain(): Promise<void>;
  /** Hides due secrets and expires abandoned forms now. */
  sweep(): Promise<void>;
  registry: AppRegistry;
  /** The authorization server (issuer BOT_PUBLIC_URL + OAUTH_ISSUER_PATH). */
  oauth: OAuthServer;
  close(): Promise<void>;
}

/**
 * The composition root of the bot: store, keys, installations, handlers, HTTP server.
 * Listening happens here so the public URL can default to the port actually bound.
 */
export async function startBot(options: StartBotOptions): Promise<RunningBot> {
  const { config, log, clock = systemClock, timing = {} } = options;
  const clientId = options.app?.clientId ?? config.clientId;
  const clientSecret = options.app?.clientSecret ?? config.clientSecret;
  const sharedSecret = options.app?.sharedSecret ?? config.sharedSecret;
  if (!clientId || !sharedSecret) throw new Error('startBot needs a client id and a shared secret');
  log.addSecret(clientSecret);
  log.addSecret(sharedSecret);
  ensureDataDir(config.dataDir);
  // Files restored from a backup (or made by hand) may be readable by others: DATA_DIR is private.
  for (const t of tightenDataDir(config.dataDir)) {
    const fields = { file: t.path, mode: t.was.toString(8) };
    if (t.failed) log.warn('DATA_DIR holds a file others may read, and its mode could not be changed', { ...fields, err: t.failed });
    else log.warn('DATA_DIR held a file with a looser mode than 0600 (0700 for a folder); tightened it', fields);
  }
  const leftovers = removeLeftoverTempFiles(config.dataDir);
  if (leftovers.length) log.warn('removed temp files left by an interrupted write', { files: leftovers });
  const verificationToken =
    config.verificationToken ??
    readOrCreateSecretFile(join(config.dataDir, 'verification-token'), {
      generate: () => randomBytes(24).toString('base64url'),
      // The same rule as RINGCENTRAL_VERIFICATION_TOKEN: an empty token would let any forged webhook in.
      check: (v) => (VERIFICATION_TOKEN.test(v) ? undefined : 'must hold 16 to 64 printable characters without spaces'),
    });
  log.addSecret(verificationToken);
  log.addSecret(config.metricsToken);
  const metrics = createMetrics();

  const catalog = loadCatalog(config.scopesFile);
  const storeFileExisted = existsSync(join(config.dataDir, 'registrar.json'));
  if (config.databaseUrl) log.addSecret(new URL(config.databaseUrl).password || undefined);
  const store =
    options.store ??
    (config.databaseUrl
      ? // Loaded only when used: a bot on lowdb does not load the PostgreSQL driver.
        await (await import('../store/postgres-store.js')).createPostgresStore(config.databaseUrl, { onError: (err) => log.warn('a PostgreSQL connection failed', { err: err.message }) })
      : await createLowdbStore(config.dataDir, { warn: (message, fields) => log.warn(message, fields) }));
  const keyFile = join(config.dataDir, 'secret.key');
  const keys = await verifyKeysAgainst(
    store,
    loadKeys({ dataDir: config.dataDir, secretKey: config.secretKey, sealedDataExists: storeFileExisted }),
    config.secretKey ? 'REGISTRAR_SECRET_KEY' : keyFile,
    { pendingKeyFile: config.secretKey ? undefined : `${keyFile}.new` },
  );
  let publicUrl = config.botPublicUrl;
  const base = () => publicUrl ?? `http://127.0.0.1:${config.port}`;

  // Everything accepted is tracked, so shutdown can let it finish (see close()).
  const work = createWorkTracker();
  // A store no other process shares (lowdb): at start-up, whatever is open belongs to a process that died.
  const storeIsOurs = !config.databaseUrl;
  const inbox = createInbox({ store, keys, clock, log, ...(timing.inboxLeaseMs ? { leaseMs: timing.inboxLeaseMs } : {}) });
  let outbox: Outbox | undefined;
  let intakeNotification: (body: unknown) => Promise<() => Promise<void>> = async () => async () => {};
  const installations = createInstallations({
    store,
    keys,
    log,
    clock,
    serverUrl: config.serverUrl,
    clientId,
    clientSecret,
    delivery: config.delivery,
    webhookAddress: () => `${base()}/bot/webhook`,
    redirectUri: () => `${base()}/bot/oauth`,
    verificationToken,
    // WebSocket deliveries: no 200 to send, but the same inbox before the handling.
    onNotification: (body) =>
      void intakeNotification(body)
        .then((run) => run())
        .catch((err: unknown) => log.error('notification handling failed', { err })),
    wrapClient: (accountId, raw) => (outbox ? outboxClient(outbox, accountId, raw) : raw),
    onRateLimited: (group) => metrics.rateLimited.inc({ group }),
    ...(timing.sub406RetryMs !== undefined ? { sub406RetryMs: timing.sub406RetryMs } : {}),
    ...(timing.subscriptionTtlSeconds !== undefined ? { subscriptionTtlSeconds: timing.subscriptionTtlSeconds } : {}),
    ...(timing.retry ? { retry: timing.retry } : {}),
  });
  outbox = createOutbox({
    store,
    keys,
    clock,
    log,
    async clientOf(accountId) {
      const inst = await installations.get(accountId);
      return inst ? installations.rawClient(inst) : undefined;
    },
    botIdOf: async (accountId) => (await installations.get(accountId))?.botId,
    // The settings first; a test's timing (quicker still) on top.
    policy: { maxAttempts: config.outbox.attempts, baseDelayMs: config.outbox.retrySeconds * 1000, ...timing.outbox },
    events: {
      onRetry: () => metrics.outboxRetries.inc(),
      onParked: () => metrics.outboxParked.inc(),
    },
    ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
    track: work.track,
  });
  const box = outbox;
  // The gauge of parked messages is what the store holds (a restart or another instance must not skew it).
  metrics.countParkedWith(() => box.countParked());
  const services: Services = {
    config,
    store,
    keys,
    log,
    metrics,
    clock,
    installations,
    checkpoint: options.checkpoint ?? (() => {}),
    track: work.track,
    outbox,
    turnClient: (accountId, raw, turn, chatId) => outboxClient(box, accountId, raw, { turn, chatId }),
  };

  const registry = createAppRegistry({ store, keys, catalog, clock });
  // Approvals and access need each other: the quota counts open requests, "ask again" asks the quota.
  let access: ReturnType<typeof createAccess> | undefined;
  const approvals = createApprovals({
    services,
    catalog,
    registry,
    openRequestsRefusal: (accountId, personId, adding) => access!.openRequestsRefusal(accountId, personId, adding),
    openAccessRequests: (accountId) => access!.openRequests(accountId),
  });
  access = createAccess({ services, registry, openCountOf: approvals.openCountOf });
  const registration = createRegistration({
    services,
    catalog,
    registry,
    onRegistered: approvals.onRegistered,
    requestScopes: approvals.requestScopes,
    reviewPublic: approvals.reviewPublic,
    gate: access.gate,
  });
  const oauth = await startOAuth({ services, registry, catalog, publicUrl: base() });
  useOAuthEndpoints(oauth.endpoints);
  const jwtCredentials = createJwtCredentialCommands({ services, registry, credentials: oauth.credentials, tokenUrl: oauth.endpoints.token });
  const lifecycle = createLifecycle({ services, registry, closeRequestsOf: approvals.closeRequestsOf, afterMyApps: jwtCredentials.afterMyApps, appsRefusal: access.appsRefusal, moveRequestsOf: approvals.moveRequestsOf });

  const commands: Command[] = [];
  const allCommands = () => commands;
  commands.push(...registration.commands, ...access.commands, ...lifecycle.commands, ...approvals.commands, ...jwtCredentials.commands, helpCommand(allCommands));
  const submitHandlers: SubmitHandlers = new Map([...registration.submitHandlers, ...access.submitHandlers, ...approvals.submitHandlers, ...lifecycle.submitHandlers, ...jwtCredentials.submitHandlers]);

  const limiter = createPersonLimiter({ limit: config.personRate.limit, windowMs: config.personRate.windowSeconds * 1000, now: () => clock.now() });
  const notifications = createNotificationHandler({ services, commands: allCommands, limiter, onChatEvent: access.onChatEvent });
  const handleSubmit = createSubmitHandler({ services, handlers: () => submitHandlers, limiter });

  // Deliveries being handled in this process: the sweep must not take them for a dead process's.
  const handling = new Set<string>();
  /** Handles a delivery the inbox holds, then marks it handled (whatever the handling's outcome). */
  const runStored = <T>(kind: DeliveryKind, id: string, handle: () => Promise<T>): Promise<T> => {
    const key = `${kind}:${id}`;
    handling.add(key);
    // A long handling keeps its lease, so no other instance takes the delivery over meanwhile.
    const renewal = setInterval(() => void inbox.renew(kind, id).catch(() => undefined), inbox.leaseMs / 3);
    renewal.unref();
    // The answer does not wait for the "handled" mark (shutdown does): were it lost to a crash, the
    // delivery is handled again and its replies are found already sent (outbox keys by turn).
    return work.track(
      handle().finally(() => {
        clearInterval(renewal);
        handling.delete(key);
        void work.track(inbox.done(kind, id).catch((err: unknown) => log.error('marking a delivery handled failed', { kind, eventId: id, err })));
      }),
    );
  };

  // The inbox (src/delivery/inbox.ts): stored before the 200, handled from there.
  intakeNotification = async (body) => {
    if (!notifications.worthStoring(body)) return () => work.track(notifications.handle(body));
    const uuid = (body as { uuid?: unknown } | null)?.uuid;
    let accepted: { fresh: boolean; id: string };
    try {
      accepted = await inbox.accept('notification', typeof uuid === 'string' && uuid.length <= 512 ? uuid : undefined, body);
    } catch (err) {
      // Not even the delivery could be stored (a full disk): handle it anyway, without a copy.
      log.error('a notification could not be stored; handling it without a copy', { err });
      return () => work.track(notifications.handle(body));
    }
    if (!accepted.fresh) {
      log.info('duplicate notification ignored', { eventId: accepted.id });
      return async () => {};
    }
    const { id } = accepted;
    const eventType = (body as { body?: { eventType?: unknown } }).body?.eventType;
    return () => {
      services.checkpoint(`inbox:acknowledged:${typeof eventType === 'string' ? eventType : 'other'}`);
      return runStored('notification', id, () => notifications.handle(body, { deduped: true, turn: `notification:${id}` }));
    };
  };

  const observed = (handling: Promise<{ result: SubmitReply; ownMs: number; totalMs: number }>) =>
    handling.then(({ result, ownMs, totalMs }) => {
      options.observe?.('submit', ownMs, totalMs);
      return result;
    });
  const onSubmit = async (body: unknown): Promise<SubmitReply> => {
    const parsed = SubmitSchema.safeParse(body);
    // Not a click we understand: refused by the handler as before, and never stored.
    if (!parsed.success) return work.track(observed(measure(() => handleSubmit.handle(body))));
    let accepted: { fresh: boolean; id: string };
    try {
      accepted = await inbox.accept('submit', parsed.data.uuid, body);
    } catch {
      // The handler's own write fails the same way and tells the person nothing was saved.
      return work.track(observed(measure(() => handleSubmit.handle(body))));
    }
    if (!accepted.fresh) {
      log.info('duplicate submit ignored', { eventId: accepted.id });
      return undefined;
    }
    const { id } = accepted;
    services.checkpoint('inbox:stored:submit');
    return runStored('submit', id, () => observed(measure(() => handleSubmit.handle(body, { deduped: true, turn: `submit:${id}`, submit: parsed.data }))));
  };

  /** Deliveries stored but not handled (a crash after the 200; another instance that died): handled now. */
  const replayInbox = async (all: boolean) => {
    for (const d of await inbox.claimOpen({ all, mine: (kind, id) => handling.has(`${kind}:${id}`) })) {
      log.info('handling a delivery left open', { kind: d.kind, eventId: d.id, attempt: d.attempts });
      const turn = `${d.kind}:${d.id}`;
      if (d.kind === 'notification') await runStored('notification', d.id, () => notifications.handle(d.body, { deduped: true, turn })).catch((err: unknown) => log.error('notification handling failed', { err }));
      else {
        const reply = await runStored('submit', d.id, () => handleSubmit.handle(d.body, { deduped: true, turn })).catch((err: unknown) => log.error('interactive request failed', { err }));
        // Its answer can no longer open a dialog: the news goes to the conversation.
        if (reply instanceof Dialog) await handleSubmit.lateReply(d.body, reply).catch((err: unknown) => log.error('telling a late answer failed', { err }));
      }
    }
  };
  const webhook = createWebhookHandler({ verificationToken, intake: (body) => intakeNotification(body), log, metrics });
  const app = createApp({
    installations,
    registry,
    clientId,
    sharedSecret,
    webhook,
    onSubmit,
    onLateReply: handleSubmit.lateReply,
    oauth: oauth.routes,
    botIconUrl: config.botIconUrl,
    log,
    metrics,
    metricsToken: config.metricsToken,
    metricsOpen: config.sandbox,
  });

  // Registrations a crash interrupted are finished or undone before anyone can click again.
  await registration.recover();
  await lifecycle.recover(); // rotations too: no card may show a secret that does not work
  const hider = createRevealHider({ services, registry, reveals: registration.reveals, everyMs: timing.hideEveryMs ?? 1000, track: work.track });
  // Scheduled work runs on one instance at a time when several share a PostgreSQL store.
  const once = <T>(name: string, fn: () => Promise<T>) => store.exclusive(name, fn).then(() => undefined);
  await hider.hideDue(); // secrets due to hide while we were down are hidden now
  // Messages a crash left unsent (registrations undone above have taken theirs back) go out now.
  const outboxRecovered = storeIsOurs ? box.recoverAll() : box.deliverDue();
  void work.track(outboxRecovered.catch((err: unknown) => log.error('sending queued messages failed', { err })));

  const server = await listen(createServer(requestListener(app, webhook)), config.port, options.host ?? '0.0.0.0');
  const port = (server.address() as AddressInfo).port;
  publicUrl ??= `http://127.0.0.1:${port}`;
  log.info('bot listening', { port, publicUrl });

  // Deliveries a crash left open are handled once we listen (their answers may wait on RingCentral).
  void work.track(replayInbox(storeIsOurs).catch((err: unknown) => log.error('handling open deliveries failed', { err })));
  let delivering: Promise<void> | undefined;
  const deliverDue = () => (delivering ??= work.track(once('outbox', () => box.deliverDue())).finally(() => (delivering = undefined)));
  const outboxTimer = setInterval(() => void deliverDue(), timing.outboxEveryMs ?? 1000);
  outboxTimer.unref();

  const maintain = () => work.track(once('maintain-subscriptions', () => installations.maintain()));
  await maintain(); // at start-up: recreate missing, expired or Blacklisted subscriptions
  const timer = setInterval(() => void maintain(), timing.maintainEveryMs ?? 10 * 60_000);
  timer.unref();
  let sweeping: Promise<void> | undefined;
  // One sweep at a time: a slow one must not overlap the next and remind twice.
  const sweep = () => (sweeping ??= work.track(once('sweep', runSweep)).finally(() => (sweeping = undefined)));
  const runSweep = async () => {
    await hider.hideDue();
    await pruneOld(store, clock.now(), log);
    await registration.sweep().catch((err: unknown) => log.error('sweep failed', { err }));
    await approvals.sweep().catch((err: unknown) => log.error('approval sweep failed', { err }));
    await access!.sweep().catch((err: unknown) => log.error('access sweep failed', { err }));
    await lifecycle.sweep().catch((err: unknown) => log.error('lifecycle sweep failed', { err }));
    await jwtCredentials.sweep().catch((err: unknown) => log.error('JWT credential sweep failed', { err }));
    await replayInbox(false).catch((err: unknown) => log.error('handling open deliveries failed', { err }));
    await box.prune().catch((err: unknown) => log.error('pruning the outbox failed', { err }));
  };
  await sweep();
  const sweepTimer = setInterval(() => void sweep(), timing.sweepEveryMs ?? 15_000);
  sweepTimer.unref();
  // Hiding secrets runs on its own timer, never behind reminders or renewals.
  hider.start();
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    server,
    services,
    installations,
    verificationToken,
    maintain,
    sweep,
    registry,
    oauth,
    close() {
      closing ??= shutdown({ server, work, log, drainMs: timing.drainMs ?? 10_000, stopTimers: () => [timer, sweepTimer, outboxTimer].forEach(clearInterval), hider, installations, store });
      return closing;
    },
  };
}
