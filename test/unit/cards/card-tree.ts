import type { Card } from '../../../src/cards/render-card.js';

/** Small readers over an expanded card, for assertions. */
export type Node = Record<string, unknown>;

export function objects(value: unknown, out: Node[] = []): Node[] {
  if (Array.isArray(value)) value.forEach((v) => objects(v, out));
  else if (typeof value === 'object' && value !== null) {
    out.push(value as Node);
    Object.values(value).forEach((v) => objects(v, out));
  }
  return out;
}
export const ofType = (card: Card, type: string) => objects(card).filter((o) => o.type === type);
export const inputs = (card: Card) => objects(card).filter((o) => typeof o.type === 'string' && o.type.startsWith('Input.'));
export const input = (card: Card, id: string) => inputs(card).find((o) => o.id === id);
export const texts = (card: Card) => ofType(card, 'TextBlock').map((t) => t.text as string);
export const submits = (card: Card) => ofType(card, 'Action.Submit');
