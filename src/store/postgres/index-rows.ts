import { createHash } from 'node:crypto';
import { keysOf, type CollectionSchema } from '../schema.js';
import { dbText } from './tables.js';

/**
 * A document's index rows, computed in JS with the schema.ts functions (the same ones every adapter
 * uses), and the difference between two versions of a document, so a write touches only the rows
 * that changed (a seen event id never changes; a flow's owner key rarely does).
 *
 * @example
 *   const change = diffRows(rowsOf(schema, before), rowsOf(schema, after));
 */
export interface IndexRows {
  /** [index, key] pairs, keys already as stored (dbText). */
  keys: Array<[string, string]>;
  /** index → position. */
  order: Map<string, number>;
}

export interface RowChange {
  keysGone: Array<[string, string]>;
  keysNew: Array<[string, string]>;
  orderGone: string[];
  orderSet: Array<[string, number]>;
}

/** An index function that throws on an odd document files it nowhere, as in the memory engine. */
function safely<R>(fn: () => R, fallback: R): R {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

export function rowsOf(schema: CollectionSchema<unknown>, value: unknown): IndexRows {
  const rows: IndexRows = { keys: [], order: new Map() };
  if (value === undefined) return rows;
  for (const [index, fn] of Object.entries(schema.indexes ?? {})) {
    for (const key of safely(() => keysOf(fn, value), [])) rows.keys.push([index, dbText(key)]);
  }
  for (const [index, fn] of Object.entries(schema.ordered ?? {})) {
    const n = safely(() => fn(value), undefined);
    if (typeof n === 'number' && !Number.isNaN(n)) rows.order.set(index, n);
  }
  return rows;
}

const pairKey = ([index, key]: [string, string]) => JSON.stringify([index, key]);

export function diffRows(before: IndexRows, after: IndexRows): RowChange {
  const had = new Set(before.keys.map(pairKey));
  const has = new Set(after.keys.map(pairKey));
  return {
    keysGone: before.keys.filter((p) => !has.has(pairKey(p))),
    keysNew: after.keys.filter((p) => !had.has(pairKey(p))),
    orderGone: [...before.order.keys()].filter((index) => !after.order.has(index)),
    orderSet: [...after.order].filter(([index, n]) => !Object.is(before.order.get(index), n)),
  };
}

/** Bump when an index function's meaning changes without its name changing: stores rebuild their index rows. */
export const INDEX_DEFINITIONS_VERSION = 1;

/**
 * What a collection's index rows were built from: the definitions' version and index names. A
 * different fingerprint at start-up rebuilds the collection's rows from its documents. Function
 * bodies are not part of it: their text differs between tsx, vitest and builds, and two instances
 * running the same code must agree.
 */
export function fingerprintOf(schema: CollectionSchema<unknown>): string {
  const names = [...Object.keys(schema.indexes ?? {}).map((n) => `eq:${n}`), ...Object.keys(schema.ordered ?? {}).map((n) => `ord:${n}`)].sort();
  return createHash('sha256').update(JSON.stringify([INDEX_DEFINITIONS_VERSION, names])).digest('hex').slice(0, 32);
}
