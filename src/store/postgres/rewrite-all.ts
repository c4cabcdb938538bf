import type pg from 'pg';
import { AppError } from '../../lib/errors.js';
import type { CollectionSchema } from '../schema.js';
import { encodeDoc, StoreWriteError, type Rewrite } from '../store.js';
import { DbFailure, inTransaction } from './connection.js';
import { diffRows, rowsOf } from './index-rows.js';
import type { Tables } from './tables.js';

/**
 * Store.rewriteAll on PostgreSQL: one transaction that locks every document, rewrites those `fn`
 * changes and commits them together, so a crash or a lost connection leaves all of them as they
 * were. A rewrite that would change a document's index rows is refused (and nothing is written):
 * the documents' index rows are not rewritten here.
 *
 * @example
 *   const n = await rewriteAll(pool, tables, schemaOf, (name, id, doc) => (name === 'apps' ? { ...doc, v: 2 } : undefined));
 */
export async function rewriteAll(pool: pg.Pool, t: Tables, schemaOf: (name: string) => CollectionSchema<unknown>, fn: Rewrite): Promise<number> {
  try {
    return await inTransaction(pool, async (q) => {
      const rows = await q<{ collection: string; id: string; body: string }>({ text: `SELECT collection, id, body FROM ${t.docs} ORDER BY collection, id FOR UPDATE` });
      const changed: Array<[string, string, string]> = [];
      for (const { collection, id, body } of rows.rows) {
        const before = JSON.parse(body) as Record<string, unknown>;
        const after = fn(collection, id, before);
        if (after === undefined) continue;
        const text = encodeDoc(after);
        if (text === body) continue;
        const diff = diffRows(rowsOf(schemaOf(collection), before), rowsOf(schemaOf(collection), after));
        if (diff.keysGone.length + diff.keysNew.length + diff.orderGone.length + diff.orderSet.length > 0) {
          throw new AppError('STORE_REWRITE_INDEXED', `a rewrite may not change what a document is indexed under (${collection}/${id})`);
        }
        changed.push([collection, id, text]);
      }
      if (changed.length === 0) return 0;
      await q({
        text: `UPDATE ${t.docs} d SET body = u.body FROM unnest($1::text[], $2::text[], $3::text[]) AS u(c, i, body) WHERE d.collection = u.c AND d.id = u.i`,
        values: [changed.map((c) => c[0]), changed.map((c) => c[1]), changed.map((c) => c[2])],
      });
      return changed.length;
    });
  } catch (err) {
    if (err instanceof DbFailure) throw new StoreWriteError(err.cause);
    throw err;
  }
}
