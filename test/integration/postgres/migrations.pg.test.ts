import { describe, expect, it } from 'vitest';
import { MIGRATIONS, type Migration } from '../../../src/store/postgres/migrations.js';
import type { CollectionSchema } from '../../../src/store/schema.js';
import { freshSchema, openPostgresStore, rawQuery } from '../../helpers/postgres.js';

/** A slow migration that leaves a row per run, so running it twice would show. */
const counted: Migration = {
  version: MIGRATIONS.length + 1,
  name: 'test: counts its runs',
  sql: (t) => `SELECT pg_sleep(0.3); CREATE TABLE IF NOT EXISTS ${t.quotedSchema}.runs (at timestamptz); INSERT INTO ${t.quotedSchema}.runs VALUES (now());`,
};

describe('PostgreSQL migrations', () => {
  it('migrate once when several instances start together', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore({ schema, migrations: [...MIGRATIONS, counted] })));
    expect(await rawQuery(`SELECT count(*)::int AS n FROM "${schema}".runs`)).toEqual([{ n: 1 }]);
    const versions = await rawQuery<{ version: number }>(`SELECT version FROM "${schema}".registrar_migrations ORDER BY version`);
    expect(versions.map((v) => v.version)).toEqual([...MIGRATIONS.map((m) => m.version), counted.version]);
    // All four are working stores on the same data.
    await stores[0]!.collection('meta').put('k', { v: 1 });
    expect(await stores[3]!.collection('meta').get('k')).toEqual({ v: 1 });
    await Promise.all(stores.map((s) => s.close()));
  });

  it('refuse to start on a schema a newer version migrated', async () => {
    const schema = freshSchema();
    await (await openPostgresStore({ schema, migrations: [...MIGRATIONS, counted] })).close();
    await expect(openPostgresStore({ schema })).rejects.toMatchObject({ code: 'STORE_SCHEMA_NEWER', message: expect.stringContaining(`version ${counted.version}`) });
  });
});

type Thing = { colour: string; size: number };
const colourOnly: Record<string, CollectionSchema<unknown>> = { things: { indexes: { colour: (d) => (d as Thing).colour } } };
const withSize: Record<string, CollectionSchema<unknown>> = {
  things: {
    indexes: { colour: (d) => (d as Thing).colour, size: (d) => ((d as Thing).size > 3 ? 'big' : 'small') },
    ordered: { size: (d) => (d as Thing).size },
  },
};

describe('PostgreSQL index rows', () => {
  it('are rebuilt from the documents when a collection gains or loses an index', async () => {
    const schema = freshSchema();
    const before = await openPostgresStore({ schema, schemas: colourOnly });
    await before.collection<Thing>('things').put('a', { colour: 'red', size: 1 });
    await before.collection<Thing>('things').put('b', { colour: 'blue', size: 5 });
    await before.close();

    const after = await openPostgresStore({ schema, schemas: withSize });
    const things = after.collection<Thing>('things');
    expect(await things.find('size', 'big')).toEqual([{ colour: 'blue', size: 5 }]);
    expect(await things.due('size', 3)).toEqual([{ colour: 'red', size: 1 }]);
    expect(await things.find('colour', 'red')).toEqual([{ colour: 'red', size: 1 }]);
    await after.close();

    // Back to one index: the rows of the ones dropped go too.
    await (await openPostgresStore({ schema, schemas: colourOnly })).close();
    const left = await rawQuery<{ index_name: string }>(
      `SELECT index_name FROM "${schema}".registrar_index_keys UNION ALL SELECT index_name FROM "${schema}".registrar_index_order ORDER BY 1`,
    );
    expect(left.map((r) => r.index_name)).toEqual(['colour', 'colour']);
  });
});
