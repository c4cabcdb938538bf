import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { z } from 'zod';

/**
 * Every setting Registrar reads, parsed once from the environment at start-up.
 * Nothing else in src/ touches process.env: the rest of the code receives a `Config`.
 *
 * @example
 *   const config = loadConfig(process.env); // throws ConfigError naming each bad variable
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const httpUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
  .transform((v) => v.replace(/\/+$/, ''));

/** A duration: positive, finite, and no longer than `max` (a typo like 1e13 must not pass start-up). */
const duration = (max: number, unit: string) =>
  z.coerce.number({ message: 'must be a number' }).positive('must be greater than 0').max(max, `must be at most ${max} ${unit}`);

const idList = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[0-9A-Za-z_-]+$/, 'must be comma-separated person ids')));

/**
 * Who may register apps (CREATORS): everyone, the people listed, or the members of one chat (a
 * "developers" team) as RingCentral says they are at the moment someone registers. Admins
 * (ADMIN_IDS) and people an admin granted access to (src/access/) may always.
 */
export type CreatorPolicy = { kind: 'everyone' } | { kind: 'list'; ids: string[] } | { kind: 'chat'; chatId: string };

const creators = z
  .string()
  .trim()
  .transform((v, ctx): CreatorPolicy => {
    if (v === '*') return { kind: 'everyone' };
    const chat = /^chat:\s*([0-9A-Za-z_-]+)$/.exec(v);
    if (chat) return { kind: 'chat', chatId: chat[1]! };
    const ids = v.split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0 || !ids.every((id) => /^[0-9A-Za-z_-]+$/.test(id))) {
      ctx.addIssue({ code: 'custom', message: 'must be *, comma-separated person ids, or chat:<chat id>' });
      return z.NEVER;
    }
    return { kind: 'list', ids: [...new Set(ids)] };
  });

/** A count limit: a whole number from 1 to `max`. */
const limit = (max: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`);

/** What a Verification-Token may be, from the setting or the generated file. */
export const VERIFICATION_TOKEN = /^[\x21-\x7e]{16,64}$/;

const EnvSchema = z.object({
  PORT: z.coerce.number({ message: 'must be a port number' }).int('must be a port number').min(1, 'must be a port number from 1 to 65535').max(65535, 'must be a port number from 1 to 65535').default(3000),
  BOT_PUBLIC_URL: httpUrl.optional(),
  BOT_ICON_URL: httpUrl.optional(),
  RINGCENTRAL_SERVER_URL: httpUrl.default('https://platform.ringcentral.com'),
  RINGCENTRAL_CLIENT_ID: z.string().trim().min(1).optional(),
  RINGCENTRAL_CLIENT_SECRET: z.string().trim().min(1).optional(),
  RINGCENTRAL_SHARED_SECRET: z.string().min(8, 'must be at least 8 characters').optional(),
  RINGCENTRAL_VERIFICATION_TOKEN: z.string().regex(VERIFICATION_TOKEN, 'must be 16 to 64 printable characters without spaces').optional(),
  RINGCENTRAL_DELIVERY: z.enum(['webhook', 'websocket'], { message: 'must be webhook or websocket' }).default('webhook'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => /^postgres(ql)?:\/\//.test(v) && URL.canParse(v), 'must be a postgres:// or postgresql:// URL')
    .optional(),
  ADMIN_CHAT_ID: z.string().regex(/^[0-9A-Za-z_-]+$/, 'must be a chat id').optional(),
  ADMIN_IDS: idList.optional(),
  CREATORS: creators.default({ kind: 'everyone' }),
  MAX_APPS_PER_PERSON: limit(100_000).default(25),
  MAX_OPEN_REQUESTS: limit(10_000).default(5),
  REGISTRAR_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$|^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes as 64 hex characters or base64')
    .optional(),
  ALLOW_NOTIFICATION_ADDINS: bool.default(false),
  FLOW_EXPIRE_HOURS: duration(24 * 365, 'hours (a year)').default(24),
  SECRET_REVEAL_SECONDS: duration(30 * 24 * 3600, 'seconds (30 days)').default(900),
  APPROVAL_REMIND_HOURS: duration(24 * 365, 'hours (a year)').default(24),
  APPROVAL_EXPIRE_DAYS: duration(365, 'days').default(7),
  ROTATION_GRACE_HOURS: z.coerce.number({ message: 'must be a number' }).min(0, 'must be 0 or more').max(24 * 30, 'must be at most 720 hours (30 days)').default(24),
  PERSON_RATE_LIMIT: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(1_000_000, 'must be at most 1000000').default(30),
  PERSON_RATE_WINDOW_SECONDS: duration(3600, 'seconds (an hour)').default(60),
  OUTBOX_ATTEMPTS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(50, 'must be at most 50').default(6),
  OUTBOX_RETRY_SECONDS: duration(3600, 'seconds (an hour)').default(5),
  SCOPES_FILE: z.string().min(1).optional(),
  OAUTH_ISSUER_PATH: z
    .string()
    .trim()
    .regex(/^(\/[A-Za-z0-9._~-]+)+\/?$/, 'must be a path such as /oauth (letters, digits, . _ ~ -)')
    .transform((v) => v.replace(/\/+$/, ''))
    .refine((v) => !v.split('/').some((seg) => seg === '.' || seg === '..'), 'must not contain . or .. segments')
    // Express matches paths in any case: /Bot is /bot to it.
    .refine((v) => !['/bot', '/healthz', '/registry', '/.well-known', '/metrics'].some((taken) => v.toLowerCase() === taken || v.toLowerCase().startsWith(`${taken}/`)), 'must not be /bot, /healthz, /registry, /.well-known or /metrics (the bot uses them)')
    .default('/oauth'),
  ACCESS_TOKEN_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number of seconds').min(60, 'must be at least 60 seconds').max(86_400, 'must be at most 86400 seconds (a day)').default(3600),
  REFRESH_TOKEN_DAYS: duration(365, 'days').default(7),
  JWT_CREDENTIAL_MAX_DAYS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number of days').min(1, 'must be at least 1 day').max(3650, 'must be at most 3650 days').default(365),
  SIGN_IN_LINK_MINUTES: duration(60, 'minutes').default(5),
  OAUTH_KEY_ROTATION_DAYS: duration(3650, 'days').default(90),
  OAUTH_TRUST_PROXY: bool.default(false),
  SANDBOX_WEB_HOST: z.string().trim().regex(/^[0-9A-Za-z.:[\]-]+$/, 'must be a host name or IP address').default('127.0.0.1'),
  SANDBOX_WEB_PORT: z.coerce.number({ message: 'must be a port number' }).int('must be a port number').min(0, 'must be a port number from 0 to 65535').max(65535, 'must be a port number from 0 to 65535').optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  METRICS_TOKEN: z.string().regex(/^[\x21-\x7e]{16,256}$/, 'must be 16 to 256 printable characters without spaces').optional(),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  port: number;
  /** Base URL RingCentral reaches the bot at; undefined in the sandbox until the server listens. */
  botPublicUrl: string | undefined;
  /**
   * The icon every dialog shows: RingCentral requires one (D `adaptive-cards/modal-dialogs.md`).
   * Default: the bot's own, `BOT_PUBLIC_URL/bot/icon.png` (the sandbox's default public URL when unset).
   */
  botIconUrl: string;
  serverUrl: string;
  /** True when no RingCentral app is configured: `npm start` then runs the emulator beside the bot. */
  sandbox: boolean;
  clientId: string | undefined;
  clientSecret: string | undefined;
  sharedSecret: string | undefined;
  verificationToken: string | undefined;
  delivery: 'webhook' | 'websocket';
  dataDir: string;
  /** PostgreSQL to keep the store in, shared by several instances; unset: lowdb files in DATA_DIR. */
  databaseUrl: string | undefined;
  adminChatId: string | undefined;
  adminIds: string[];
  /** Who may register apps (src/access/); admins and people granted access always may. */
  creators: CreatorPolicy;
  /** Live apps (active or suspended) one person may own; admins are exempt. */
  maxAppsPerPerson: number;
  /** Approval requests (scopes, going public) one person may have waiting at once; admins are exempt. */
  maxOpenRequests: number;
  secretKey: string | undefined;
  allowNotificationAddins: boolean;
  flowExpireHours: number;
  secretRevealSeconds: number;
  approvalRemindHours: number;
  approvalExpireDays: number;
  /** After a rotation the previous secret keeps working this long; 0 ends it at once. */
  rotationGraceHours: number;
  /** Commands and clicks one person may make per window before being told to slow down (src/bot/person-limiter.ts). */
  personRate: { limit: number; windowSeconds: number };
  /** The outbox's pace (src/delivery/outbox.ts): attempts before a message is parked, and the first retry's delay (doubling, at most 5 minutes). */
  outbox: { attempts: number; retrySeconds: number };
  /** The scope catalog an operator may edit; the bundled one when unset. */
  scopesFile: string | undefined;
  /** The OAuth 2.0 authorization server (src/oauth): issuer = BOT_PUBLIC_URL + issuerPath. */
  oauth: {
    issuerPath: string;
    accessTokenSeconds: number;
    refreshTokenDays: number;
    jwtCredentialMaxDays: number;
    signInLinkMinutes: number;
    /** A signing key older than this is replaced at start; the one before stays published for tokens it signed. */
    keyRotationDays: number;
    /** Trust X-Forwarded-* (set only behind a reverse proxy that sets them). */
    trustProxy: boolean;
  };
  logLevel: Env['LOG_LEVEL'];
  /**
   * Bearer token a Prometheus scrape of /metrics must send. Unset: /metrics is served in the sandbox
   * only (it listens on loopback), and answers 404 elsewhere.
   */
  metricsToken: string | undefined;
  /** Interface the sandbox's web chat page binds; loopback unless set (the page has no sign-in). */
  sandboxWebHost: string;
  /**
   * Port of the sandbox's web chat page, 0 = any free port. Unset: PORT + 2, or any free port when
   * that one is taken (the address is printed at start-up either way).
   */
  sandboxWebPort: number | undefined;
}

/** A setting is missing or malformed; `message` names every offending variable. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Checks that DATA_DIR is (or can be made) a writable directory, so a bad value stops start-up
 * with its name rather than with a file-system error later.
 */
export function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    accessSync(dataDir, constants.W_OK);
    if (!statSync(dataDir).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new ConfigError([`DATA_DIR: ${dataDir} is not a writable directory (${(err as Error).message})`]);
  }
}

function isHttpsOrLoopback(url: string): boolean {
  const u = new URL(url);
  if (u.protocol === 'https:') return true;
  const host = u.hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Parses and validates the environment. Empty strings count as unset, so `FOO=` in a .env file
 * falls back to the default instead of failing obscurely.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') cleaned[key] = value;
  }
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0] ?? 'environment')}: ${i.message}`));
  }
  const e = parsed.data;
  const sandbox = e.RINGCENTRAL_CLIENT_ID === undefined;
  const problems: string[] = [];
  if (!sandbox) {
    // Outside the sandbox RingCentral must be able to reach us and sign what it sends.
    if (!e.RINGCENTRAL_CLIENT_SECRET) problems.push('RINGCENTRAL_CLIENT_SECRET: required when RINGCENTRAL_CLIENT_ID is set');
    if (!e.RINGCENTRAL_SHARED_SECRET) problems.push('RINGCENTRAL_SHARED_SECRET: required when RINGCENTRAL_CLIENT_ID is set');
    if (!e.BOT_PUBLIC_URL) problems.push('BOT_PUBLIC_URL: required when RINGCENTRAL_CLIENT_ID is set');
    else if (!isHttpsOrLoopback(e.BOT_PUBLIC_URL)) {
      // Tokens, webhooks and signed clicks travel to this address: plain http only where nothing leaves the machine.
      problems.push('BOT_PUBLIC_URL: must be an https:// URL (http is accepted only for localhost and 127.0.0.0/8, for local testing)');
    }
    // Instances sharing a database must seal and verify with the same keys; each would otherwise
    // generate its own into its DATA_DIR and refuse the others' data.
    if (e.DATABASE_URL) {
      if (!e.REGISTRAR_SECRET_KEY) problems.push('REGISTRAR_SECRET_KEY: required when DATABASE_URL is set: every instance sharing the database must use the same key to read the secrets stored in it');
      if (!e.RINGCENTRAL_VERIFICATION_TOKEN) {
        problems.push('RINGCENTRAL_VERIFICATION_TOKEN: required when DATABASE_URL is set: every instance sharing the database must accept the same webhook token (the subscription was made with one)');
      }
    }
    // D `team-messaging/concepts/teams.md`: "there is not currently a way to retrieve the members of a
    // team", so the admin chat's membership cannot say who is an admin.
    if (e.ADMIN_CHAT_ID && !e.ADMIN_IDS?.length) {
      problems.push(
        'ADMIN_IDS: required when ADMIN_CHAT_ID is set. RingCentral offers no way to list the members of a team, so Registrar cannot tell from the admin chat who may decide approval requests; list their person ids, comma-separated.',
      );
    }
  } else if (e.RINGCENTRAL_CLIENT_SECRET) {
    problems.push('RINGCENTRAL_CLIENT_ID: required when RINGCENTRAL_CLIENT_SECRET is set');
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    port: e.PORT,
    botPublicUrl: e.BOT_PUBLIC_URL,
    botIconUrl: e.BOT_ICON_URL ?? `${e.BOT_PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`}/bot/icon.png`,
    serverUrl: e.RINGCENTRAL_SERVER_URL,
    sandbox,
    clientId: e.RINGCENTRAL_CLIENT_ID,
    clientSecret: e.RINGCENTRAL_CLIENT_SECRET,
    sharedSecret: e.RINGCENTRAL_SHARED_SECRET,
    verificationToken: e.RINGCENTRAL_VERIFICATION_TOKEN,
    delivery: e.RINGCENTRAL_DELIVERY,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    adminChatId: e.ADMIN_CHAT_ID,
    adminIds: e.ADMIN_IDS ?? [],
    creators: e.CREATORS,
    maxAppsPerPerson: e.MAX_APPS_PER_PERSON,
    maxOpenRequests: e.MAX_OPEN_REQUESTS,
    secretKey: e.REGISTRAR_SECRET_KEY,
    allowNotificationAddins: e.ALLOW_NOTIFICATION_ADDINS,
    flowExpireHours: e.FLOW_EXPIRE_HOURS,
    secretRevealSeconds: e.SECRET_REVEAL_SECONDS,
    approvalRemindHours: e.APPROVAL_REMIND_HOURS,
    approvalExpireDays: e.APPROVAL_EXPIRE_DAYS,
    rotationGraceHours: e.ROTATION_GRACE_HOURS,
    personRate: { limit: e.PERSON_RATE_LIMIT, windowSeconds: e.PERSON_RATE_WINDOW_SECONDS },
    outbox: { attempts: e.OUTBOX_ATTEMPTS, retrySeconds: e.OUTBOX_RETRY_SECONDS },
    scopesFile: e.SCOPES_FILE,
    oauth: {
      issuerPath: e.OAUTH_ISSUER_PATH,
      accessTokenSeconds: e.ACCESS_TOKEN_SECONDS,
      refreshTokenDays: e.REFRESH_TOKEN_DAYS,
      jwtCredentialMaxDays: e.JWT_CREDENTIAL_MAX_DAYS,
      signInLinkMinutes: e.SIGN_IN_LINK_MINUTES,
      keyRotationDays: e.OAUTH_KEY_ROTATION_DAYS,
      trustProxy: e.OAUTH_TRUST_PROXY,
    },
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN,
    sandboxWebHost: e.SANDBOX_WEB_HOST,
    sandboxWebPort: e.SANDBOX_WEB_PORT,
  };
}
