import { z } from 'zod';
import { clipText } from '../cards/plain-text.js';
import { INVISIBLE } from './name-key.js';
import type { ScopeCatalog } from './scope-catalog.js';
import { validateUrl, type UrlRules } from './validate-url.js';

export { validateUrl, type UrlCheck, type UrlRules } from './validate-url.js';

export const APP_TYPES = ['rest-api', 'bot', 'notification'] as const;
export type AppType = (typeof APP_TYPES)[number];
export const AUTH_METHODS = ['oauth', 'jwt'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];
export const ACCESS_LEVELS = ['private', 'public'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

/** Carrier and brand partners a public app can be limited to (ids are stored; names are shown). */
export const PARTNERS = [
  { id: 'att', name: 'AT&T Office@Hand' },
  { id: 'bt', name: 'BT Cloud Work' },
  { id: 'telus', name: 'TELUS Business Connect' },
  { id: 'avaya', name: 'Avaya Cloud Office' },
  { id: 'verizon', name: 'Verizon' },
  { id: 'unify', name: 'Unify Office' },
  { id: 'atos', name: 'Atos Unify Office' },
  { id: 'vodafone', name: 'Vodafone Business' },
] as const;
export type PartnerId = (typeof PARTNERS)[number]['id'];
/** 'all' means every current and future partner, which RingCentral recommends for public apps. */
export type Partners = 'all' | PartnerId[];

/** Length and count limits; redirect URIs follow RingCentral's 256, other URLs the common 2048. */
export const LIMITS = {
  name: 64,
  email: 254,
  redirectUri: 256,
  redirectUris: 10,
  url: 2048,
  justificationMin: 30,
  justificationMax: 2000,
  instructions: 2000,
  /** How much of a typed value an error message quotes. */
  quoted: 200,
  /** How many bad redirect URI lines an error message lists. */
  problemLines: 3,
} as const;

export const ICON_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp'] as const;

/**
 * One app registration, field by field. The ids are a contract with the cards (`Input.*` ids) and
 * the store. Fields that do not apply to the app's type, auth method or access are left out.
 */
export interface AppDraft {
  appType: AppType;
  /** Private label, unique among the requester's apps regardless of case. */
  appName: string;
  displayName: string;
  iconUrl?: string;
  /** Email address with the domain lowercased. */
  primaryContact: string;
  /** Intends to promote the app in the App Gallery (internal use only). */
  promote: boolean;
  authMethod?: AuthMethod;
  /** Exactly as typed (trimmed), since RingCentral matches redirect URIs character for character. */
  redirectUris?: string[];
  refreshTokens?: boolean;
  scopes?: string[];
  justification?: string;
  access?: Access;
  partners?: Partners;
  interactiveMessages?: boolean;
  outboundWebhookUrl?: string;
  manualInstructions?: string;
  webInstallUrl?: string;
}

export type FieldName = keyof AppDraft;

export const FIELD_NAMES = [
  'appType', 'appName', 'displayName', 'iconUrl', 'primaryContact', 'promote',
  'authMethod', 'redirectUris', 'refreshTokens', 'scopes', 'justification', 'access', 'partners',
  'interactiveMessages', 'outboundWebhookUrl', 'manualInstructions', 'webInstallUrl',
] as const satisfies readonly FieldName[];

/** A zod schema per field, each producing the field's stored type from a card value or a stored one. */
export type FieldSchemas = { [K in FieldName]-?: z.ZodType<NonNullable<AppDraft[K]>> };

export interface FieldContext {
  allowNotificationAddins: boolean;
  catalog: ScopeCatalog;
}

/**
 * The per-field rules used to check each card submit. Card inputs arrive as strings (toggles as
 * "true"/"false", multi-selects as "a,b", multiline text with \n or \r\n); typed values (boolean,
 * string[]) are accepted too so stored drafts can be checked again. Each schema expects a value that
 * is present: whether a field is required, and when it applies, is decided per step (steps.ts).
 *
 * @example
 *   const r = fieldSchemas(ctx).redirectUris.safeParse('https://a.example.com/cb\nhttp://x');
 *   r.success === false; r.error.issues[0].message // "Line 2: Use https:// (http is only allowed for localhost)."
 */
export function fieldSchemas(ctx: FieldContext): FieldSchemas {
  return {
    appType: appTypeSchema(ctx.allowNotificationAddins),
    appName: nameText('app name'),
    displayName: nameText('display name'),
    iconUrl: iconUrlSchema,
    primaryContact: emailSchema,
    promote: toggle,
    authMethod: z.enum(AUTH_METHODS, 'Choose OAuth (3-legged) or JWT.'),
    redirectUris: redirectUrisSchema,
    refreshTokens: toggle,
    scopes: scopesSchema(ctx.catalog),
    justification: text('justification', LIMITS.justificationMax).refine((v) => v.length >= LIMITS.justificationMin, {
      error: (issue) =>
        `Please explain in at least ${LIMITS.justificationMin} characters why your app needs these scopes (you wrote ${String(issue.input).length}).`,
    }),
    access: z.enum(ACCESS_LEVELS, 'Choose private or public.'),
    partners: partnersSchema,
    interactiveMessages: toggle,
    outboundWebhookUrl: urlField({ requirePublicHost: true, maxLength: LIMITS.url }),
    manualInstructions: text('installation instructions', LIMITS.instructions),
    webInstallUrl: urlField({ requirePublicHost: true, maxLength: LIMITS.url }),
  };
}

function appTypeSchema(allowNotificationAddins: boolean) {
  return z
    .enum(APP_TYPES, 'Choose an app type: REST API app or bot.')
    .refine((type) => type !== 'notification' || allowNotificationAddins, {
      error: 'Notification add-ins are deprecated and not available here. Choose a REST API app or a bot instead.',
    });
}

function text(label: string, max: number) {
  return z
    .string(`Please enter the ${label} as text.`)
    .trim()
    .min(1, `Please enter the ${label}.`)
    .max(max, { error: (issue) => `The ${label} can be at most ${max} characters (yours has ${String(issue.input).length}).` });
}

/**
 * A zero-width (non-)joiner between two letters of a script that writes with them (Persian, Arabic,
 * the Indic scripts): part of the spelling there, not a hidden character. Between Latin, Greek or
 * Cyrillic letters it only hides a difference, so it stays refused. (Names are compared without it.)
 */
const JOINING = String.raw`[[\p{L}\p{M}]--[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]]`;
const JOINER_IN_WORD = new RegExp(`(?<=${JOINING})[\\u200C\\u200D](?=${JOINING})`, 'gv');

/**
 * A name people read on cards and in lists: refused when it hides characters (zero-width, bidi
 * controls, variation selectors and the like), kept in NFKC form (fullwidth letters and other
 * compatibility forms become the plain ones), so what is stored is what is compared and shown.
 */
function nameText(label: string) {
  return z.string(`Please enter the ${label} as text.`).transform((raw, ctx) => {
    const problem = (message: string) => (ctx.addIssue({ code: 'custom', message }), z.NEVER);
    if (INVISIBLE.test(raw.trim().replace(JOINER_IN_WORD, ''))) {
      return problem(`The ${label} contains an invisible character (such as a zero-width space, a text-direction mark or a line break). Please type it again using visible characters only.`);
    }
    const name = raw.normalize('NFKC').trim();
    if (name === '') return problem(`Please enter the ${label}.`);
    if (name.length > LIMITS.name) return problem(`The ${label} can be at most ${LIMITS.name} characters (yours has ${name.length}).`);
    return name;
  });
}

// Input.Toggle submits "true"/"false"; stored drafts hold real booleans.
const toggle = z
  .union([z.boolean(), z.enum(['true', 'false'])], 'Choose on or off.')
  .transform((v) => v === true || v === 'true');

/** Multi-select values: "a,b" from a card or a stored string[]; blanks dropped, duplicates merged. */
const choiceList = z
  .union([z.string(), z.array(z.string())], 'Choose from the list.')
  .transform((v) => [...new Set((typeof v === 'string' ? v.split(',') : v).map((s) => s.trim()).filter(Boolean))]);

function urlField(rules: UrlRules, extra?: (url: URL) => string | undefined) {
  return z.string('Please enter the URL as text.').transform((raw, ctx) => {
    const check = validateUrl(raw, rules);
    const problem = check.ok ? extra?.(new URL(check.url)) : check.message;
    if (check.ok && problem === undefined) return check.url;
    ctx.addIssue({ code: 'custom', message: problem ?? 'Please check this URL.' });
    return z.NEVER;
  });
}

const iconUrlSchema = urlField({ requirePublicHost: true, maxLength: LIMITS.url }, (url) => {
  // Only the path counts: "icon.png?v=2" is an image, "/image?name=icon.png" is not.
  const path = url.pathname.toLowerCase();
  if (ICON_EXTENSIONS.some((ext) => path.endsWith(ext))) return undefined;
  return 'The icon URL must point to an image file ending in .png, .jpg, .jpeg, .gif, .svg or .webp (a ?query after it is fine).';
});

const EMAIL = /^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}))$/;

const emailSchema = z
  .string('Please enter an email address.')
  .trim()
  .max(LIMITS.email, `An email address can be at most ${LIMITS.email} characters.`)
  .transform((value, ctx) => {
    const match = EMAIL.exec(value);
    if (!match || (match[1] ?? '').length > 64) {
      ctx.addIssue({ code: 'custom', message: 'Enter an email address like name@example.com.' });
      return z.NEVER;
    }
    // Domains are case-insensitive; the local part may not be, so only the domain is lowercased.
    return `${match[1]}@${(match[2] ?? '').toLowerCase()}`;
  });

const redirectUrisSchema = z
  .union([z.string(), z.array(z.string())], 'Enter the redirect URIs as text, one per line.')
  .transform((value, ctx) => {
    const lines = typeof value === 'string' ? value.split(/\r\n|\r|\n/) : value;
    const uris: string[] = [];
    const problems: string[] = [];
    const seen = new Map<string, number>();
    lines.forEach((line, index) => {
      const number = index + 1; // counted as typed, blank lines included, to match what the user sees
      if (line.trim() === '') return;
      const check = validateUrl(line, { allowLoopbackHttp: true, maxLength: LIMITS.redirectUri });
      if (!check.ok) return void problems.push(`Line ${number}: ${check.message}`);
      const first = seen.get(check.url);
      if (first !== undefined) return void problems.push(`Line ${number}: this is the same as line ${first}; remove one of them.`);
      seen.set(check.url, number);
      uris.push(check.url);
    });
    if (problems.length === 0 && uris.length === 0) problems.push('Add at least one redirect URI, one per line.');
    if (problems.length === 0 && uris.length > LIMITS.redirectUris) {
      problems.push(`You entered ${uris.length} redirect URIs; the limit is ${LIMITS.redirectUris}.`);
    }
    if (problems.length > 0) {
      const more = problems.length - LIMITS.problemLines;
      const listed = more > 0 ? [...problems.slice(0, LIMITS.problemLines), `…and ${more.toLocaleString('en-US')} more lines to fix.`] : problems;
      ctx.addIssue({ code: 'custom', message: listed.join(' ') });
      return z.NEVER;
    }
    return uris;
  });

function scopesSchema(catalog: ScopeCatalog) {
  return choiceList.transform((names, ctx) => {
    if (names.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'Choose at least one scope.' });
      return z.NEVER;
    }
    const unknown = names.filter((name) => catalog.get(name) === undefined);
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `These scopes don't exist: ${clipText(unknown.join(', '), LIMITS.quoted)}. Choose scopes from the list.` });
      return z.NEVER;
    }
    return names;
  });
}

const PARTNER_IDS: ReadonlySet<string> = new Set(PARTNERS.map((p) => p.id));

const partnersSchema = choiceList.transform((ids, ctx): Partners => {
  if (ids.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'Choose all partners, or at least one specific partner.' });
    return z.NEVER;
  }
  if (ids.includes('all')) {
    if (ids.length === 1) return 'all';
    ctx.addIssue({ code: 'custom', message: 'Choose either all current and future partners, or specific partners, but not both.' });
    return z.NEVER;
  }
  const unknown = ids.filter((id) => !PARTNER_IDS.has(id));
  if (unknown.length > 0) {
    ctx.addIssue({ code: 'custom', message: `Unknown partner: ${clipText(unknown.join(', '), LIMITS.quoted)}. Choose partners from the list.` });
    return z.NEVER;
  }
  return ids as PartnerId[];
});
