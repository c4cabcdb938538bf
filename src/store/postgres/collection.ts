import type pg from 'pg';
import { AppError } from '../../lib/errors.js';
import type { CollectionSchema } from '../schema.js';
import { decodeDoc, docId, encodeDoc, StoreWriteError, type Collection } from '../store.js';
import { DbFailure, inTransaction, LostRace, poolQuery, withRetries, type Query } from './connection.js';
import { diffRows, rowsOf } from './index-rows.js';
import { assertLocksHeld } from './locks.js';
import { dbText, type Tables } from './tables.js';

/**
 * One collection of a PostgreSQL store. A write is one statement that changes the document and
 * exactly the index rows that differ, guarded by the text it was computed from (compare and swap):
 * an uncontended update costs a read and that statement. When another writer got there first, the
 * change is made again under a row lock (SELECT ... FOR UPDATE), where it cannot lose again except
 * to a concurrent insert of the same new document, which is rolled back and run once more. The
 * callback may therefore run more than once; it must be pure.
 *
 * @example
 *   const flows = pgCollection<Flow>(context, 'flows');
 *   await flows.update(id, (cur) => cur && { ...cur, version: cur.version + 1 });
 */
export interface CollectionContext {
  pool: pg.Pool;
  t: Tables;
  attempts: number;
  schemaOf(name: string): CollectionSchema<unknown>;
  /** Runs store work: refused once the store is closed, awaited by close(). */
  track<R>(work: () => Promise<R>): Promise<R>;
}

interface Plan<R> {
  /** The document's new text; undefined writes nothing. */
  text: string | undefined;
  result: R;
}

/** Database failures become StoreWriteError (nothing was changed); the caller's own errors pass. */
async function writing<R>(work: () => Promise<R>): Promise<R> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DbFailure || err instanceof LostRace) throw new StoreWriteError(err.cause ?? err);
    throw err;
  }
}

async function reading<R>(work: () => Promise<R>): Promise<R> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof DbFailure)) throw err;
    throw new AppError('STORE_READ_FAILED', `the store could not be read: ${err.message}`, {
      status: 503,
      userMessage: 'I could not reach my storage just now. Please try again in a moment.',
      cause: err.cause,
    });
  }
}

export function pgCollection<T>(ctx: CollectionContext, name: string): Collection<T> {
  const { pool, t } = ctx;
  const schema = ctx.schemaOf(name);
  const coll = dbText(name);
  const poolQ = poolQuery(pool);
  const docs = (rows: Array<{ body: string }>) => rows.map((r) => JSON.parse(r.body) as T);

  const insertText = `WITH doc AS (
      INSERT INTO ${t.docs} (collection, id, body) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id
    ), new_keys AS (
      INSERT INTO ${t.keys} (collection, index_name, key, id) SELECT $1, r.i, r.k, doc.id FROM doc, unnest($4::text[], $5::text[]) AS r(i, k) ON CONFLICT DO NOTHING
    ), set_order AS (
      INSERT INTO ${t.order} (collection, id, index_name, n) SELECT $1, doc.id, r.i, r.n FROM doc, unnest($6::text[], $7::float8[]) AS r(i, n)
      ON CONFLICT (collection, id, index_name) DO UPDATE SET n = EXCLUDED.n
    ) SELECT count(*)::int AS written FROM doc`;
  const updateText = `WITH doc AS (
      UPDATE ${t.docs} SET body = $3 WHERE collection = $1 AND id = $2 AND body = $4 RETURNING id
    ), gone_keys AS (
      DELETE FROM ${t.keys} x USING doc, unnest($5::text[], $6::text[]) AS r(i, k)
      WHERE x.collection = $1 AND x.id = doc.id AND x.index_name = r.i AND x.key = r.k
    ), new_keys AS (
      INSERT INTO ${t.keys} (collection, index_name, key, id) SELECT $1, r.i, r.k, doc.id FROM doc, unnest($7::text[], $8::text[]) AS r(i, k) ON CONFLICT DO NOTHING
    ), gone_order AS (
      DELETE FROM ${t.order} x USING doc WHERE x.collection = $1 AND x.id = doc.id AND x.index_name = ANY($9::text[])
    ), set_order AS (
      INSERT INTO ${t.order} (collection, id, index_name, n) SELECT $1, doc.id, r.i, r.n FROM doc, unnest($10::text[], $11::float8[]) AS r(i, n)
      ON CONFLICT (collection, id, index_name) DO UPDATE SET n = EXCLUDED.n
    ) SELECT count(*)::int AS written FROM doc`;

  /** Writes `text` over `current` if the document still holds `current`; false when it does not. */
  async function swap(q: Query, id: string, current: string | undefined, text: string): Promise<boolean> {
    const change = diffRows(rowsOf(schema, decodeDoc(current)), rowsOf(schema, JSON.parse(text)));
    const pairs = (p: Array<[string, string]>) => [p.map(([i]) => i), p.map(([, k]) => k)];
    const order = (o: Array<[string, number]>) => [o.map(([i]) => i), o.map(([, n]) => n)];
    const result =
      current === undefined
        ? await q<{ written: number }>({ name: 'registrar_insert', text: insertText, values: [coll, id, text, ...pairs(change.keysNew), ...order(change.orderSet)] })
        : await q<{ written: number }>({
            name: 'registrar_update',
            text: updateText,
            values: [coll, id, text, current, ...pairs(change.keysGone), ...pairs(change.keysNew), change.orderGone, ...order(change.orderSet)],
          });
    return result.rows[0]!.written === 1;
  }

  const selectText = `SELECT body FROM ${t.docs} WHERE collection = $1 AND id = $2`;
  const currentText = async (q: Query, id: string, forUpdate = false) =>
    (await q<{ body: string }>(forUpdate ? { text: `${selectText} FOR UPDATE`, values: [coll, id] } : { name: 'registrar_get', text: selectText, values: [coll, id] })).rows[0]?.body;

  /** A change computed by `plan` from the document's current text, made atomically (see above). */
  async function change<R>(rawId: string, plan: (current: string | undefined) => Plan<R>): Promise<R> {
    const id = dbText(docId(rawId));
    return ctx.track(() =>
      writing(async () => {
        try {
          const current = await currentText(poolQ, id);
          const { text, result } = plan(current);
          if (text === undefined) return result;
          assertLocksHeld();
          if (await swap(poolQ, id, current, text)) return result;
        } catch (err) {
          if (!(err instanceof DbFailure && err.retryable)) throw err;
        }
        return withRetries(ctx.attempts, () =>
          inTransaction(pool, async (q) => {
            const current = await currentText(q, id, true);
            const { text, result } = plan(current);
            if (text !== undefined) assertLocksHeld();
            // Under the row lock only an insert can lose, to another writer creating the document.
            if (text !== undefined && !(await swap(q, id, current, text))) throw new LostRace();
            return result;
          }),
        );
      }),
    );
  }

  function ordered(index: string) {
    if (!Object.hasOwn(schema.ordered ?? {}, index)) throw new AppError('STORE_NO_SUCH_INDEX', `collection ${name} has no ordered index ${index}`);
    return schema.ordered![index]!;
  }

  return {
    get(id) {
      return ctx.track(() => reading(async () => decodeDoc<T>(await currentText(poolQ, dbText(String(id))))));
    },
    async put(id, value) {
      const text = encodeDoc(value);
      return change(id, (current) => ({ text: current === text ? undefined : text, result: undefined }));
    },
    delete(id) {
      return ctx.track(() =>
        writing(async () => {
          assertLocksHeld();
          // Index rows go with the document (ON DELETE CASCADE).
          const result = await withRetries(ctx.attempts, () => poolQ({ name: 'registrar_delete', text: `DELETE FROM ${t.docs} WHERE collection = $1 AND id = $2`, values: [coll, dbText(String(id))] }));
          return (result.rowCount ?? 0) > 0;
        }),
      );
    },
    update(id, fn) {
      return change(id, (current) => {
        const after = fn(decodeDoc<T>(current));
        if (after === undefined) return { text: undefined, result: { before: decodeDoc<T>(current), after: decodeDoc<T>(current) } };
        const text = encodeDoc(after);
        // An update that changes nothing (a duplicate event) writes nothing.
        return { text: text === current ? undefined : text, result: { before: decodeDoc<T>(current), after: decodeDoc<T>(text) } };
      });
    },
    async find(index, key) {
      if (!Object.hasOwn(schema.indexes ?? {}, index)) throw new AppError('STORE_NO_SUCH_INDEX', `collection ${name} has no index ${index}`);
      return ctx.track(() =>
        reading(async () => {
          const result = await poolQ<{ body: string }>({
            name: 'registrar_find',
            text: `SELECT d.body FROM ${t.keys} k JOIN ${t.docs} d ON d.collection = k.collection AND d.id = k.id WHERE k.collection = $1 AND k.index_name = $2 AND k.key = $3`,
            values: [coll, index, dbText(String(key))],
          });
          return docs(result.rows);
        }),
      );
    },
    async due(index, upTo, limit) {
      ordered(index);
      const rows = limit === undefined || limit === Infinity ? null : Math.max(0, Math.ceil(limit));
      return ctx.track(() =>
        reading(async () => {
          const result = await poolQ<{ body: string }>({
            name: 'registrar_due',
            text: `SELECT d.body FROM ${t.order} o JOIN ${t.docs} d ON d.collection = o.collection AND d.id = o.id
              WHERE o.collection = $1 AND o.index_name = $2 AND o.n <= $3 ORDER BY o.n, o.id LIMIT $4`,
            values: [coll, index, upTo, rows],
          });
          return docs(result.rows);
        }),
      );
    },
    async prune(index, upTo) {
      const at = ordered(index);
      return ctx.track(() =>
        writing(() =>
          withRetries(ctx.attempts, () =>
            inTransaction(pool, async (q) => {
              // Lock the candidates (in id order, so two pruners cannot deadlock), then keep those whose
              // current version is still due: one may have moved on since the index row was read.
              const candidates = await q<{ id: string; body: string }>({
                text: `SELECT d.id, d.body FROM ${t.order} o JOIN ${t.docs} d ON d.collection = o.collection AND d.id = o.id
                  WHERE o.collection = $1 AND o.index_name = $2 AND o.n <= $3 ORDER BY d.id FOR UPDATE OF d`,
                values: [coll, index, upTo],
              });
              const stillDue = (body: string) => {
                const n = rowsOf({ ordered: { [index]: at } }, JSON.parse(body)).order.get(index);
                return n !== undefined && n <= upTo;
              };
              const ids = candidates.rows.filter((r) => stillDue(r.body)).map((r) => r.id);
              if (ids.length === 0) return 0;
              assertLocksHeld();
              const gone = await q({ text: `DELETE FROM ${t.docs} WHERE collection = $1 AND id = ANY($2::text[])`, values: [coll, ids] });
              return gone.rowCount ?? 0;
            }),
          ),
        ),
      );
    },
    list() {
      return ctx.track(() => reading(async () => docs((await poolQ<{ body: string }>({ text: `SELECT body FROM ${t.docs} WHERE collection = $1 ORDER BY id`, values: [coll] })).rows)));
    },
    count() {
      return ctx.track(() => reading(async () => (await poolQ<{ n: number }>({ text: `SELECT count(*)::int AS n FROM ${t.docs} WHERE collection = $1`, values: [coll] })).rows[0]!.n));
    },
  };
}
