import { AppError } from '../lib/errors.js';
import { fieldSchemas, LIMITS, type AppDraft, type AppType, type FieldName, type FieldSchemas } from './fields.js';
import { nameKey } from './name-key.js';
import type { ScopeCatalog } from './scope-catalog.js';

export type { AppDraft } from './fields.js';

/** Every step of the registration form, in the order they are shown. */
export const STEPS = ['type', 'basics', 'auth', 'scopes', 'access', 'features', 'review'] as const;
export type StepId = (typeof STEPS)[number];

const STEP_FIELDS: Record<StepId, readonly FieldName[]> = {
  type: ['appType'],
  basics: ['appName', 'displayName', 'iconUrl', 'primaryContact', 'promote'],
  // Order matters below: a field that decides whether another applies comes first.
  auth: ['authMethod', 'redirectUris', 'refreshTokens'],
  scopes: ['scopes', 'justification'],
  access: ['access', 'partners'],
  features: ['interactiveMessages', 'outboundWebhookUrl', 'manualInstructions', 'webInstallUrl'],
  review: [],
};

const TITLES: Record<StepId, string> = {
  type: 'App type',
  basics: 'Name and contact',
  auth: 'Authentication',
  scopes: 'Scopes',
  access: 'Access',
  features: 'Features',
  review: 'Review',
};

const BOOLEAN_FIELDS: ReadonlySet<FieldName> = new Set(['promote', 'refreshTokens', 'interactiveMessages']);
const MULTILINE_FIELDS: ReadonlySet<FieldName> = new Set(['redirectUris']);

const REQUIRED: Partial<Record<FieldName, string>> = {
  appType: 'Choose an app type.',
  appName: 'Please enter an app name.',
  displayName: 'Please enter a display name.',
  iconUrl: 'Bots and add-ins need an icon: enter an https link to a .png, .jpg, .jpeg, .gif, .svg or .webp image.',
  primaryContact: 'Please enter the email address of the primary contact.',
  authMethod: 'Choose OAuth (3-legged) or JWT.',
  redirectUris: 'OAuth needs at least one redirect URI: enter one per line.',
  scopes: 'Choose at least one scope.',
  access: 'Choose private or public.',
  partners: 'Choose all partners, or at least one specific partner.',
  outboundWebhookUrl: 'Interactive messages need an outbound webhook URL (https).',
  manualInstructions: 'Please enter installation instructions for your users.',
};

/** What a step check needs beyond the submitted values. */
export interface StepContext {
  /** The values accepted in earlier steps (appType decides which steps and fields apply). */
  draft: Partial<AppDraft>;
  /** The requester's other apps; when editing an app, leave its own name out. */
  existingAppNames: readonly string[];
  allowNotificationAddins: boolean;
  catalog: ScopeCatalog;
}

export type StepResult =
  | { ok: true; values: Partial<AppDraft> }
  | { ok: false; errors: Partial<Record<FieldName, string>>; values: Partial<Record<FieldName, string>> };

/** The ordered steps for an app type: REST API apps get them all; bots skip auth; add-ins only describe themselves. */
export function stepsFor(appType: AppType): StepId[] {
  switch (appType) {
    case 'rest-api':
      return [...STEPS];
    case 'bot': // bots authenticate with the bot token issued at install
      return ['type', 'basics', 'scopes', 'access', 'features', 'review'];
    case 'notification': // add-ins have no auth, scopes or access settings
      return ['type', 'basics', 'features', 'review'];
  }
}

/**
 * Steps with a deciding field whose answer brings in more fields: those are asked on a follow-up
 * card of the same step (same step number), so the first card shows only what applies to everyone.
 */
const FOLLOW_UPS: Partial<Record<StepId, { decider: FieldName; fields: readonly FieldName[]; when: (values: Partial<AppDraft>) => boolean }>> = {
  // The justification is asked only once a scope that needs approval is chosen (required then: errors bring it in).
  scopes: { decider: 'scopes', fields: ['justification'], when: () => false },
  auth: { decider: 'authMethod', fields: ['redirectUris', 'refreshTokens'], when: (v) => v.authMethod === 'oauth' },
  access: { decider: 'access', fields: ['partners'], when: (v) => v.access === 'public' },
  features: { decider: 'interactiveMessages', fields: ['outboundWebhookUrl'], when: (v) => v.interactiveMessages === true },
};

/** The follow-up of a step: the deciding field, the fields it brings in, and when (or undefined). */
export function followUpOf(step: StepId) {
  return FOLLOW_UPS[step];
}

/**
 * Folds the inputs a card has beyond the draft's fields into them: the scopes step has one
 * checkbox list per group (`scopes`, `approvalScopes`), the access step a choice between all
 * partners and only some (`partnerReach`: 'all' | 'only') beside the partner list.
 */
export function foldCardInputs(step: StepId, input: Record<string, unknown>): Record<string, unknown> {
  const list = (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : Array.isArray(v) ? v.map(String) : []);
  if (step === 'scopes' && Object.hasOwn(input, 'approvalScopes')) {
    const { approvalScopes, ...rest } = input;
    return { ...rest, scopes: [...new Set([...list(input.scopes), ...list(approvalScopes)])].join(',') };
  }
  if (step === 'access' && Object.hasOwn(input, 'partnerReach')) {
    const { partnerReach, ...rest } = input;
    if (partnerReach === 'all') return { ...rest, partners: 'all' };
    if (partnerReach === 'only') return { ...rest, partners: list(input.partners).filter((p) => p !== 'all').join(',') };
    return rest;
  }
  return input;
}

/** The field ids a step's card submits. */
export function stepFields(step: StepId): readonly FieldName[] {
  return STEP_FIELDS[step];
}

/** The heading shown for a step, e.g. "Name and contact". */
export function sectionTitle(step: StepId): string {
  return TITLES[step];
}

/**
 * Checks one step's card submit as a whole. On success `values` holds only the fields that apply
 * (redirect URIs only for OAuth, partners only for public apps, and so on); on failure `errors` has
 * one friendly sentence per field and `values` the raw text to show again in the card.
 * Throws AppError `STEP_NOT_APPLICABLE` when the step does not belong to the draft's app type.
 *
 * @example
 *   const r = validateStep('auth', { authMethod: 'jwt', refreshTokens: 'true' }, ctx);
 *   if (r.ok) draft = mergeStep(draft, 'auth', r.values);
 */
/** Field schemas depend only on the catalog and one setting: build them once per pair, not per click. */
const schemaCache = new WeakMap<ScopeCatalog, Map<boolean, FieldSchemas>>();
function schemasFor(ctx: StepContext): FieldSchemas {
  let byFlag = schemaCache.get(ctx.catalog);
  if (!byFlag) schemaCache.set(ctx.catalog, (byFlag = new Map()));
  let schemas = byFlag.get(ctx.allowNotificationAddins);
  if (!schemas) byFlag.set(ctx.allowNotificationAddins, (schemas = fieldSchemas({ allowNotificationAddins: ctx.allowNotificationAddins, catalog: ctx.catalog })));
  return schemas;
}

export function validateStep(step: StepId, submitted: Record<string, unknown>, ctx: StepContext): StepResult {
  const input = foldCardInputs(step, submitted);
  const schemas = schemasFor(ctx);
  const values: Partial<AppDraft> = {};
  const errors: Partial<Record<FieldName, string>> = {};
  const appType = step === 'type' ? undefined : ctx.draft.appType;
  if (step !== 'type' && (appType === undefined || !stepsFor(appType).includes(step))) {
    throw new AppError('STEP_NOT_APPLICABLE', `step ${step} does not apply to app type ${appType ?? '(none)'}`, {
      status: 400,
      userMessage: 'This part of the form does not apply to your app any more. Please start again from the app type.',
    });
  }

  for (const field of STEP_FIELDS[step]) {
    const need = presence(field, appType, values, ctx.catalog);
    if (need === 'skip') continue;
    const raw = input[field];
    if (isBlank(raw)) {
      if (BOOLEAN_FIELDS.has(field)) Object.assign(values, { [field]: false }); // an unset toggle is off
      else if (need === 'required') errors[field] = requiredMessage(field, values, ctx.catalog);
      continue;
    }
    const parsed = schemas[field].safeParse(raw);
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message ?? 'Please check this value.';
      errors[field] = field === 'justification' ? `${approvalPhrase(values, ctx.catalog)} ${oneOrMany(message, values, ctx.catalog)}` : message;
      continue;
    }
    Object.assign(values, { [field]: parsed.data });
  }

  if (values.appName !== undefined && errors.appName === undefined) {
    // Compared by skeleton: "Expense Sync" in Cyrillic or fullwidth letters is the same name to a reader.
    const key = nameKey(values.appName);
    const taken = ctx.existingAppNames.find((name) => nameKey(name) === key);
    if (taken !== undefined) {
      errors.appName =
        taken.toLowerCase() === values.appName.toLowerCase()
          ? `You already have an app called "${values.appName}". Please choose a different name.`
          : `"${values.appName}" looks the same as your app "${taken}". Please choose a clearly different name.`;
    }
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors, values: rawValues(step, input) };
  return { ok: true, values };
}

/**
 * Checks every step of a finished draft again before it is submitted (the rules or the catalog may
 * have changed since a step was accepted). Returns the cleaned draft, without fields that no longer
 * apply, or the first failing step with its errors.
 */
export function validateDraft(
  draft: Partial<AppDraft>,
  ctx: Omit<StepContext, 'draft'>,
): { ok: true; draft: AppDraft } | { ok: false; step: StepId; errors: Partial<Record<FieldName, string>>; values: Partial<Record<FieldName, string>> } {
  let accepted: Partial<AppDraft> = {};
  const first = validateStep('type', { appType: draft.appType }, { ...ctx, draft: accepted });
  if (!first.ok) return { ...first, step: 'type' };
  accepted = first.values;
  for (const step of stepsFor(accepted.appType as AppType)) {
    if (step === 'type' || step === 'review') continue;
    const input = Object.fromEntries(STEP_FIELDS[step].map((field) => [field, draft[field]]));
    const result = validateStep(step, input, { ...ctx, draft: accepted });
    if (!result.ok) return { ...result, step };
    accepted = { ...accepted, ...result.values };
  }
  return { ok: true, draft: accepted as AppDraft };
}

/** Replaces a step's fields in the draft, so values that no longer apply (e.g. old redirect URIs) go. */
export function mergeStep(draft: Partial<AppDraft>, step: StepId, values: Partial<AppDraft>): Partial<AppDraft> {
  const kept = Object.fromEntries(Object.entries(draft).filter(([key]) => !STEP_FIELDS[step].includes(key as FieldName)));
  return { ...kept, ...values };
}

type Presence = 'required' | 'optional' | 'skip';

/** Whether a field applies given the app type and the fields already accepted in this step. */
function presence(field: FieldName, appType: AppType | undefined, values: Partial<AppDraft>, catalog: ScopeCatalog): Presence {
  switch (field) {
    case 'iconUrl':
      return appType === 'rest-api' ? 'optional' : 'required';
    case 'promote':
      return 'optional';
    case 'refreshTokens': // refresh tokens belong to the 3-legged OAuth flow only
      return values.authMethod === 'oauth' ? 'optional' : 'skip';
    case 'redirectUris':
      return values.authMethod === 'oauth' ? 'required' : 'skip';
    case 'justification':
      return catalog.requiresApproval(values.scopes ?? []).length > 0 ? 'required' : 'skip';
    case 'partners':
      return values.access === 'public' ? 'required' : 'skip';
    case 'interactiveMessages':
      return appType === 'notification' ? 'skip' : 'optional';
    case 'outboundWebhookUrl':
      return appType !== 'notification' && values.interactiveMessages === true ? 'required' : 'skip';
    case 'manualInstructions':
      return appType === 'notification' ? 'required' : 'skip';
    case 'webInstallUrl':
      return appType === 'notification' ? 'optional' : 'skip';
    default:
      return 'required';
  }
}

function requiredMessage(field: FieldName, values: Partial<AppDraft>, catalog: ScopeCatalog): string {
  if (field === 'justification') {
    return `${approvalPhrase(values, catalog)} Please explain why your app needs ${catalog.requiresApproval(values.scopes ?? []).length > 1 ? 'them' : 'it'} (at least ${LIMITS.justificationMin} characters).`;
  }
  return REQUIRED[field] ?? 'Please fill this in.';
}

/** "these scopes" said of one scope reads wrong: "this scope". */
function oneOrMany(message: string, values: Partial<AppDraft>, catalog: ScopeCatalog): string {
  return catalog.requiresApproval(values.scopes ?? []).length === 1 ? message.replace('these scopes', 'this scope') : message;
}

function approvalPhrase(values: Partial<AppDraft>, catalog: ScopeCatalog): string {
  const names = catalog.requiresApproval(values.scopes ?? []);
  return `${names.join(', ')} ${names.length > 1 ? 'need' : 'needs'} approval from an admin of this account.`;
}

function isBlank(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  return Array.isArray(value) && value.length === 0;
}

/** The submitted values as the card shows them, so a failed submit keeps what the user typed. */
function rawValues(step: StepId, input: Record<string, unknown>): Partial<Record<FieldName, string>> {
  const out: Partial<Record<FieldName, string>> = {};
  for (const field of STEP_FIELDS[step]) {
    const value = input[field];
    if (typeof value === 'string') out[field] = value;
    else if (typeof value === 'boolean' || typeof value === 'number') out[field] = String(value);
    else if (Array.isArray(value)) out[field] = value.map(String).join(MULTILINE_FIELDS.has(field) ? '\n' : ',');
  }
  return out;
}
