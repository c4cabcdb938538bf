import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What the bot counts, for `/metrics` (Prometheus text format). One instance per running bot, made
 * by the composition root (src/bot/start-bot.ts) and reached through Services, never a global:
 * two bots in one test process count apart.
 *
 * @example
 *   const metrics = createMetrics();
 *   metrics.deliveries.inc({ route: 'webhook', outcome: 'accepted' });
 *   res.type(metrics.contentType).send(await metrics.text());
 */

/** Why a delivery was answered as it was. `accepted` and `handshake` are not rejections. */
export type WebhookOutcome = 'accepted' | 'handshake' | 'bad_token' | 'too_large' | 'bad_json';
export type InteractiveOutcome = 'accepted' | 'bad_signature' | 'too_large' | 'invalid';

/** RingCentral's rate-limit groups (contract 0 and 7). */
export type RateGroup = 'light' | 'medium' | 'heavy' | 'auth' | 'unknown';

// Process facts (memory, CPU, event-loop lag, handles) belong to the process, not to a bot: one
// registry for them, made on first use, whatever number of bots the process runs.
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];

  const deliveries = new Counter({
    name: 'registrar_deliveries_total',
    help: 'Deliveries from RingCentral by route (webhook: notifications; interactive: card submits) and outcome: accepted, handshake, or the reason it was rejected (bad_token, bad_signature, too_large, bad_json, invalid).',
    labelNames: ['route', 'outcome'] as const,
    registers,
  });
  const flowsStarted = new Counter({
    name: 'registrar_flows_started_total',
    help: 'Forms opened, by flow (registration: "register" opened a new form).',
    labelNames: ['flow'] as const,
    registers,
  });
  const flowsCompleted = new Counter({
    name: 'registrar_flows_completed_total',
    help: 'Flows carried to their end, by flow (registration: credentials issued and the app active).',
    labelNames: ['flow'] as const,
    registers,
  });
  const approvalSeconds = new Histogram({
    name: 'registrar_approval_decision_seconds',
    help: 'Time from an approval request to its decision, in seconds, by outcome (approved, partial, rejected).',
    labelNames: ['outcome'] as const,
    // Minutes to weeks: admins answer in their own time, and requests expire after APPROVAL_EXPIRE_DAYS.
    buckets: [60, 300, 900, 3600, 4 * 3600, 86_400, 3 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400],
    registers,
  });
  const outboxRetries = new Counter({
    name: 'registrar_outbox_retries_total',
    help: 'Outgoing posts and card changes sent again after a 5xx or a timeout.',
    registers,
  });
  const outboxParked = new Counter({
    name: 'registrar_outbox_parked_total',
    help: 'Outgoing messages given up on after their retries and parked (the user is told it is delayed).',
    registers,
  });
  // Read from the store at each scrape (countParked, set by the composition root): several instances
  // and restarts all see the same parked messages, which a count kept in memory would not.
  let countParked: (() => Promise<number>) | undefined;
  const outboxParkedNow = new Gauge({
    name: 'registrar_outbox_parked',
    help: 'Outgoing messages parked right now (from the store, at each scrape).',
    registers,
    async collect() {
      if (countParked) this.set(await countParked().catch(() => 0));
    },
  });
  const rateLimited = new Counter({
    name: 'registrar_ratelimit_429_total',
    help: 'HTTP 429 answers from RingCentral, by rate-limit group (light, medium, heavy, auth).',
    labelNames: ['group'] as const,
    registers,
  });

  return {
    deliveries,
    flowsStarted,
    flowsCompleted,
    approvalSeconds,
    outboxRetries,
    outboxParked,
    outboxParkedNow,
    /** Where the parked gauge reads its value from. */
    countParkedWith(fn: () => Promise<number>) {
      countParked = fn;
    },
    rateLimited,
    /** The bot's own metrics, without the process ones (tests read single values here). */
    registry,
    contentType: registry.contentType,
    /** The exposition: this bot's metrics and the process's. */
    async text(): Promise<string> {
      return Registry.merge([registry, processMetrics()]).metrics();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The group a 429 names in `X-Rate-Limit-Group` (RingCentral sends it lower-case), else `fallback`. */
export function rateGroupOf(header: string | null | undefined, fallback: RateGroup): RateGroup {
  const g = header?.trim().toLowerCase();
  return g === 'light' || g === 'medium' || g === 'heavy' || g === 'auth' ? g : fallback;
}
