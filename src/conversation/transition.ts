import { clipText } from '../cards/plain-text.js';
import type { AppDraft, AppType, FieldName } from '../registry/fields.js';
import type { ScopeCatalog } from '../registry/scope-catalog.js';
import { STEPS, foldCardInputs, followUpOf, mergeStep, stepFields, stepsFor, validateDraft, validateStep, type StepId } from '../registry/steps.js';
import type { Flow, FlowAction } from './flow.js';

/**
 * The registration flow as a pure function: the flow and one click in, the next flow and what
 * should happen out. No I/O: the caller renders, stores and posts.
 *
 * @example
 *   const r = transition(flow, { action: 'next', inputs: { appType: 'bot' } }, ctx);
 *   if (r.outcome === 'render') updateCard(flow.cardId, viewFor(r.flow));
 */
export interface TurnInput {
  action: FlowAction;
  section?: string | undefined;
  inputs: Record<string, unknown>;
}

export interface TurnContext {
  existingAppNames: readonly string[];
  allowNotificationAddins: boolean;
  catalog: ScopeCatalog;
  now: number;
}

export type TurnResult =
  | { outcome: 'render'; flow: Flow }
  | { outcome: 'cancelled'; flow: Flow }
  | { outcome: 'submit'; flow: Flow; draft: AppDraft }
  /** The click does not fit the step the flow is at (an old card's button): nothing changes. */
  | { outcome: 'stale' };

function stepsOf(flow: Flow): StepId[] {
  return flow.draft.appType ? stepsFor(flow.draft.appType as AppType) : ['type'];
}

/**
 * The most of one typed value a flow keeps. Every accepted answer is far shorter (the longest, a
 * URL, is 2,048); a refused one is kept only to be shown again, and is re-rendered on every card.
 */
export const KEPT_MAX = 4096;

/** Only the fields a step's card has, as strings, so they can be shown again as typed (up to KEPT_MAX). */
function enteredFor(step: StepId, submitted: Record<string, unknown>): Partial<Record<FieldName, string>> {
  const inputs = foldCardInputs(step, submitted);
  const out: Partial<Record<FieldName, string>> = {};
  for (const field of stepFields(step)) {
    const v = inputs[field];
    if (v !== undefined && v !== null) out[field] = String(v);
  }
  return kept(out);
}

function kept(values: Partial<Record<FieldName, string>>): Partial<Record<FieldName, string>> {
  return Object.fromEntries(Object.entries(values).map(([field, v]) => [field, clipText(v, KEPT_MAX)]));
}

function moved(flow: Flow, changes: Partial<Flow>, now: number): Flow {
  return { ...flow, errors: {}, notice: '', detail: false, ...changes, version: flow.version + 1, updatedAt: now };
}

/** The fields that belong to an app of this type (features differ between add-ins and the rest). */
export function fieldsFor(appType: AppType): Set<FieldName> {
  const fields = new Set(stepsFor(appType).flatMap((step) => stepFields(step)));
  const other: FieldName[] = appType === 'notification' ? ['interactiveMessages', 'outboundWebhookUrl'] : ['manualInstructions', 'webInstallUrl'];
  for (const f of other) fields.delete(f);
  return fields;
}

/** Keeps only the answers that still apply after the app type changed. */
function pruneFor(draft: Partial<AppDraft>, appType: AppType): Partial<AppDraft> {
  const keep = fieldsFor(appType);
  return Object.fromEntries(Object.entries(draft).filter(([f]) => keep.has(f as FieldName))) as Partial<AppDraft>;
}

/** Overlapping scopes are advice, not an error: the next card says so once. */
function overlapNotice(step: StepId, draft: Partial<AppDraft>, catalog: ScopeCatalog): string {
  if (step !== 'scopes') return '';
  const sentence = overlapSentence(catalog, draft.scopes ?? []);
  return sentence ? `Note: ${sentence}` : '';
}

/** Overlaps as advice in one sentence: one pair named in full, more as the list of scopes not needed. */
export function overlapSentence(catalog: ScopeCatalog, chosen: readonly string[]): string {
  const overlaps = catalog.overlaps(chosen);
  if (overlaps.length === 0) return '';
  if (overlaps.length === 1) return `${overlaps[0]!.includedIn} already includes ${overlaps[0]!.scope}: you do not need both.`;
  const extra = [...new Set(overlaps.map((o) => o.scope))];
  return `Other scopes you chose already include ${extra.join(', ')}: you do not need ${extra.length > 1 ? 'them' : 'it'}.`;
}

/** A stored answer as an input sends it (lists comma-joined, toggles 'true'/'false'). */
function asStored(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Whether failed fields call for the step's follow-up card (its deciding field itself is fine). */
function detailFor(step: StepId, errors: Partial<Record<FieldName, string>>): boolean {
  const follow = followUpOf(step);
  if (!follow || errors[follow.decider] !== undefined) return false;
  return follow.fields.some((f) => errors[f] !== undefined);
}

export function transition(flow: Flow, input: TurnInput, ctx: TurnContext): TurnResult {
  const { now } = ctx;
  // An existing notification add-in stays editable when new ones may no longer be registered.
  const stepCtx = { existingAppNames: ctx.existingAppNames, allowNotificationAddins: ctx.allowNotificationAddins || Boolean(flow.editing), catalog: ctx.catalog };

  switch (input.action) {
    case 'cancel':
      return { outcome: 'cancelled', flow: moved(flow, { status: 'cancelled' }, now) };

    case 'back': {
      const steps = stepsOf(flow);
      const at = steps.indexOf(flow.step);
      // Keep what was typed on this step when the card sent it: going back must not lose answers.
      const typed = flow.step === 'review' ? {} : enteredFor(flow.step, input.inputs);
      const entered = Object.keys(typed).length ? { ...flow.entered, [flow.step]: { ...flow.entered[flow.step], ...typed } } : flow.entered;
      // From a follow-up card, Back shows the step's first card again (same step number).
      if (flow.detail && followUpOf(flow.step)) return { outcome: 'render', flow: moved(flow, { entered }, now) };
      // An edit starts at the review and every step is reached from there: Back returns there.
      if (flow.editing) return flow.step === 'review' ? { outcome: 'stale' } : { outcome: 'render', flow: moved(flow, { step: 'review', entered }, now) };
      if (at <= 0) return { outcome: 'stale' };
      return { outcome: 'render', flow: moved(flow, { step: steps[at - 1]!, entered }, now) };
    }

    case 'edit': {
      const section = STEPS.find((s) => s === input.section);
      if (flow.step !== 'review' || !section || section === 'review' || !stepsOf(flow).includes(section)) return { outcome: 'stale' };
      if (flow.editing && section === 'type') return { outcome: 'stale' }; // an app's type cannot change
      return { outcome: 'render', flow: moved(flow, { step: section, returnToReview: true }, now) };
    }

    case 'next': {
      if (flow.step === 'review') return { outcome: 'stale' };
      const follow = followUpOf(flow.step);
      // A follow-up card does not ask its deciding field again: it is the one chosen on the first card.
      const decided = follow && flow.detail && !Object.hasOwn(input.inputs, follow.decider) ? { [follow.decider]: flow.entered[flow.step]?.[follow.decider] ?? asStored(flow.draft[follow.decider]) } : {};
      const inputs = { ...decided, ...input.inputs };
      const typed = enteredFor(flow.step, inputs);
      const entered = { ...flow.entered, [flow.step]: follow && !flow.detail ? { ...flow.entered[flow.step], ...typed } : typed };
      const result = validateStep(flow.step, inputs, { ...stepCtx, draft: flow.draft });
      if (!result.ok) {
        // The first card of a step answered, and its answer brings in fields it does not show: ask them next.
        const untouched = follow && !flow.detail && follow.fields.every((f) => !Object.hasOwn(input.inputs, f));
        if (untouched && detailFor(flow.step, result.errors)) return { outcome: 'render', flow: moved(flow, { entered, detail: true }, now) };
        return {
          outcome: 'render',
          flow: moved(flow, { entered, errors: result.errors, detail: detailFor(flow.step, result.errors), notice: 'Please fix the fields marked below.' }, now),
        };
      }
      if (follow && !flow.detail && follow.when(result.values) && follow.fields.every((f) => !Object.hasOwn(input.inputs, f))) {
        // Valid without its follow-up (optional fields only, e.g. refresh tokens): still offer them.
        return { outcome: 'render', flow: moved(flow, { entered, detail: true }, now) };
      }
      let draft = mergeStep(flow.draft, flow.step, result.values);
      if (flow.step === 'type' && flow.draft.appType && flow.draft.appType !== draft.appType) draft = pruneFor(draft, draft.appType as AppType);
      const steps = stepsFor(draft.appType as AppType);
      if (flow.returnToReview) {
        // An edit may have made another step necessary (a new app type, say): go there first.
        const check = validateDraft(draft, stepCtx);
        if (!check.ok && check.step !== flow.step) {
          return {
            outcome: 'render',
            flow: moved(flow, { draft, entered, step: check.step, errors: check.errors, detail: detailFor(check.step, check.errors), notice: 'Your change affects this step too: please fix the fields marked below.' }, now),
          };
        }
        return { outcome: 'render', flow: moved(flow, { draft, entered, step: 'review', notice: overlapNotice(flow.step, draft, ctx.catalog) }, now) };
      }
      const next = steps[steps.indexOf(flow.step) + 1] ?? 'review';
      return { outcome: 'render', flow: moved(flow, { draft, entered, step: next, notice: overlapNotice(flow.step, draft, ctx.catalog) }, now) };
    }

    case 'submit': {
      if (flow.step !== 'review') return { outcome: 'stale' };
      const check = validateDraft(flow.draft, stepCtx);
      if (!check.ok) {
        // The rules (or the requester's other apps) changed since the step was accepted.
        const entered = { ...flow.entered, [check.step]: { ...flow.entered[check.step], ...kept(check.values) } };
        return {
          outcome: 'render',
          flow: moved(flow, { step: check.step, entered, errors: check.errors, detail: detailFor(check.step, check.errors), returnToReview: true, notice: `Something needs another look before ${flow.editing ? 'the changes can be saved' : 'the app can be registered'}.` }, now),
        };
      }
      return { outcome: 'submit', flow: moved(flow, { status: 'submitted' }, now), draft: check.draft };
    }
  }
}
