import pg from 'pg';

/**
 * The tables of a PostgreSQL store, qualified with its schema once at start-up, so no statement
 * depends on a connection's search_path. The schema name comes from configuration, never from
 * outside input, and is quoted as an identifier; everything else (collections, ids, keys, index
 * names) travels as a parameter.
 *
 * @example
 *   const t = tablesIn('registrar');
 *   await pool.query(`SELECT body FROM ${t.docs} WHERE collection = $1 AND id = $2`, [dbText(name), dbText(id)]);
 */
export interface Tables {
  schema: string;
  /** The quoted schema, for CREATE SCHEMA. */
  quotedSchema: string;
  docs: string;
  keys: string;
  order: string;
  indexVersions: string;
  migrations: string;
}

export function tablesIn(schema: string): Tables {
  const s = pg.escapeIdentifier(schema);
  return {
    schema,
    quotedSchema: s,
    docs: `${s}.registrar_documents`,
    keys: `${s}.registrar_index_keys`,
    order: `${s}.registrar_index_order`,
    indexVersions: `${s}.registrar_index_versions`,
    migrations: `${s}.registrar_migrations`,
  };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MARK = '\u0001';

/**
 * A string as PostgreSQL text, one-to-one. PostgreSQL text holds no NUL, and a lone surrogate would
 * be sent as U+FFFD (two ids becoming one), yet ids and keys come from outside (event ids, clicks).
 * Such a string, or one starting with the mark, is stored as the mark followed by its JSON form, in
 * which both are escapes; every other string is stored as it is. Ids are never read back (documents
 * are), so the encoding need not be reversed.
 */
export function dbText(s: string): string {
  if (!s.includes('\0') && !s.startsWith(MARK) && !LONE_SURROGATE.test(s)) return s;
  return MARK + JSON.stringify(s);
}

/** The 64-bit advisory-lock key of `name` within a store: hashed by PostgreSQL, scoped to the schema. */
export const advisoryKey = (t: Tables, kind: 'lock' | 'exclusive' | 'migrate' | 'instance', name = '') => dbText(`${t.schema}|${kind}|${name}`);
