/**
 * Validation of adaptive cards posted by bots (contract 4.2). RingCentral implements
 * Adaptive Cards 1.3 with four action types; anything else (notably `Action.Execute`) is
 * rejected. The REST error shape for a bad card is UNCONFIRMED; the emulator answers
 * 400 CMN-101 naming the offending JSON path.
 */
import { rcError } from './errors.js';
import type { AdaptiveCardJson } from './model.js';

/** Action types RingCentral supports (D `adaptive-cards/actions.md`). */
export const SUPPORTED_ACTIONS: ReadonlySet<string> = new Set([
  'Action.Submit',
  'Action.OpenUrl',
  'Action.ShowCard',
  'Action.ToggleVisibility',
]);

/** Default card version filled in "on server side" (EX AdaptiveCardRequest). */
export const DEFAULT_CARD_VERSION = '1.3';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns the validated card with `version` defaulted; throws an `RcApiError` otherwise. */
export function validateAdaptiveCard(input: unknown): AdaptiveCardJson {
  if (!isObject(input)) throw rcError.invalidParameter('body');
  if (input.type !== 'AdaptiveCard') throw rcError.invalidParameter('type');
  if (!Array.isArray(input.body)) throw rcError.invalidParameter('body');
  if (input.version !== undefined && typeof input.version !== 'string') {
    throw rcError.invalidParameter('version');
  }
  checkActions(input, '');
  const version = typeof input.version === 'string' ? input.version : DEFAULT_CARD_VERSION;
  return { ...input, type: 'AdaptiveCard', version, body: input.body };
}

/** Walks the whole card; an action is any object in `actions`, a `selectAction`, or any `Action.*` type. */
function checkActions(node: unknown, path: string, isAction = false): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => checkActions(item, `${path}[${i}]`, isAction));
    return;
  }
  if (!isObject(node)) return;
  const type = node.type;
  const looksLikeAction = typeof type === 'string' && type.startsWith('Action.');
  if ((isAction || looksLikeAction) && !(typeof type === 'string' && SUPPORTED_ACTIONS.has(type))) {
    throw rcError.invalidParameter(`${path || 'card'}.type`);
  }
  for (const [key, value] of Object.entries(node)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    if (key === 'actions' && Array.isArray(value)) checkActions(value, childPath, true);
    else if (key === 'selectAction') checkActions(value, childPath, true);
    else checkActions(value, childPath);
  }
}
