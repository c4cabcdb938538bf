import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Template } from 'adaptivecards-templating';
import type { z } from 'zod';
import { AppError } from '../lib/errors.js';
import { cardSchemas, type CardData, type CardName } from './card-data.js';

export * from './card-data.js';

/** An expanded Adaptive Card, ready to post (contract 4.2: the request body is the card itself). */
export type Card = Record<string, unknown> & { type: 'AdaptiveCard' };

const CARDS_DIR = new URL('../../cards/', import.meta.url);
const templates = new Map<CardName, Template>();

/** Reads cards/<name>.json once; a Template only reads its prepared payload when expanding. */
function templateFor(name: CardName): Template {
  let template = templates.get(name);
  if (!template) {
    const path = fileURLToPath(new URL(`${name}.json`, CARDS_DIR));
    template = new Template(JSON.parse(readFileSync(path, 'utf8')));
    templates.set(name, template);
  }
  return template;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('').replace(/^\./, '');
      return `${path || '(data)'}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Checks `data` against the card's schema, then expands cards/<name>.json with it.
 * Values are bound as data, never re-read as template text, so a user's `${x}` or `**x**` stays literal.
 * Throws AppError `CARD_DATA_INVALID` naming the card and every bad field.
 *
 * @example
 *   const card = renderCard('notice', { title: 'Not now', message: 'Finish your current registration first.' });
 *   await client.postCard(chatId, card);
 */
export function renderCard<N extends CardName>(name: N, data: CardData[N]): Card {
  const schema: z.ZodType = cardSchemas[name];
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new AppError('CARD_DATA_INVALID', `renderCard("${name}"): invalid data: ${describeIssues(parsed.error.issues)}`, {
      cause: parsed.error,
    });
  }
  // The parsed copy, not the caller's object: strict schemas mean nothing unchecked reaches the template.
  const card: unknown = templateFor(name).expand({ $root: parsed.data });
  if (typeof card !== 'object' || card === null || (card as { type?: unknown }).type !== 'AdaptiveCard') {
    throw new AppError('CARD_TEMPLATE_INVALID', `renderCard("${name}"): template did not expand to an AdaptiveCard`);
  }
  return card as Card;
}
