import { createRequire } from 'node:module';
import type * as AdaptiveCards from 'adaptivecards';

/**
 * Checks a card the way RingCentral will see it: Adaptive Cards 1.3 (contract 4.2).
 * The official parser (adaptivecards, a devDependency) reports unknown elements and actions,
 * properties newer than 1.3, duplicate ids and invalid values; our own walk adds what it cannot
 * know: RingCentral's four action types, version "1.3", and `data.action` on every Action.Submit
 * (the dispatcher routes on it). Parse events that do not change what renders (hints, deprecations,
 * missing labels or error messages on required inputs, unknown property names) are warnings.
 *
 * @example
 *   const { errors, warnings } = validateCard(renderCard('notice', { title: 'Hi', message: 'There' }));
 *   if (errors.length > 0) throw new Error(errors.join('\n'));
 */
export interface CardValidation {
  errors: string[];
  warnings: string[];
}

/** Contract 4.2: the actions RingCentral supports. Only Action.Submit calls the app. */
export const SUPPORTED_ACTION_TYPES: readonly string[] = ['Action.Submit', 'Action.OpenUrl', 'Action.ShowCard', 'Action.ToggleVisibility'];
export const CARD_VERSION = '1.3';

// The package's lib/ is extensionless ESM that Node cannot load; its UMD bundle loads anywhere.
let loaded: typeof AdaptiveCards | undefined;
function adaptiveCards(): typeof AdaptiveCards {
  loaded ??= createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;
  return loaded;
}

/** Keys the parser reads by hand rather than through an element's schema. */
const COLLECTION_KEYS = new Set(['items', 'body', 'actions', 'inlines', 'columns', 'card', 'fallback']);

export function validateCard(card: unknown): CardValidation {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (!isObject(card)) return { errors: ['card: not a JSON object'], warnings };
  if (card.type !== 'AdaptiveCard') errors.push(`card.type: expected "AdaptiveCard", got ${JSON.stringify(card.type)}`);
  if (card.version !== CARD_VERSION) errors.push(`card.version: expected "${CARD_VERSION}", got ${JSON.stringify(card.version)}`);
  checkActions(card, 'card', false, errors);
  parseWithOfficialLibrary(card, errors, warnings);
  return { errors, warnings };
}

function parseWithOfficialLibrary(json: Record<string, unknown>, errors: string[], warnings: string[]): void {
  const ac = adaptiveCards();
  const warningEvents = new Set([
    ac.ValidationEvent.Hint,
    ac.ValidationEvent.Deprecated,
    ac.ValidationEvent.RequiredInputsShouldHaveLabel,
    ac.ValidationEvent.RequiredInputsShouldHaveErrorMessage,
  ]);
  const report = (event: AdaptiveCards.IValidationEvent) => {
    const where = event.source instanceof ac.CardObject ? describe(event.source) : '';
    const text = `${ac.ValidationEvent[event.event]}${where}: ${event.message}`;
    (warningEvents.has(event.event) ? warnings : errors).push(text);
  };

  const context = new ac.SerializationContext(ac.Versions.v1_3);
  const unknownKeys = (parsed: AdaptiveCards.CardObject, source: unknown) => {
    if (!isObject(source)) return;
    const schema = parsed.getSchema();
    const known = new Set(COLLECTION_KEYS);
    for (let i = 0; i < schema.getCount(); i++) known.add(schema.getItemAt(i).name);
    for (const key of Object.keys(source)) {
      if (!known.has(key)) warnings.push(`UnknownProperty${describe(parsed)}: "${key}" is not an Adaptive Cards property of ${parsed.getJsonTypeName()}`);
    }
  };
  context.onParseElement = unknownKeys;
  context.onParseAction = unknownKeys;

  const adaptiveCard = new ac.AdaptiveCard();
  adaptiveCard.parse(json, context);
  unknownKeys(adaptiveCard, json);
  for (let i = 0; i < context.eventCount; i++) report(context.getEventAt(i));
  for (const event of adaptiveCard.validateProperties().validationEvents) report(event);
}

function describe(source: AdaptiveCards.CardObject): string {
  return ` (${source.getJsonTypeName()}${source.id ? ` "${source.id}"` : ''})`;
}

/** Walks the raw JSON: anything in `actions`, `selectAction` or `inlineAction`, or typed `Action.*`, is an action. */
function checkActions(node: unknown, path: string, isAction: boolean, errors: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => checkActions(item, `${path}[${i}]`, isAction, errors));
    return;
  }
  if (!isObject(node)) return;
  const type = node.type;
  if (isAction || (typeof type === 'string' && type.startsWith('Action.'))) {
    if (typeof type !== 'string' || !SUPPORTED_ACTION_TYPES.includes(type)) {
      errors.push(`${path}: action type ${JSON.stringify(type)} is not supported by RingCentral (only ${SUPPORTED_ACTION_TYPES.join(', ')})`);
    } else if (type === 'Action.Submit') {
      const data = node.data;
      if (!isObject(data) || typeof data.action !== 'string' || data.action === '') {
        errors.push(`${path}: Action.Submit needs data.action (a string) for the dispatcher to route on`);
      }
    }
  }
  for (const [key, value] of Object.entries(node)) {
    // Submit data is the app's own payload, not card structure.
    if (key === 'data' && type === 'Action.Submit') continue;
    const actionSlot = (key === 'actions' && Array.isArray(value)) || key === 'selectAction' || key === 'inlineAction';
    checkActions(value, `${path}.${key}`, actionSlot, errors);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
