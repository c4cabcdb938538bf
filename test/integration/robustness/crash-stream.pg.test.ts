import { afterEach, describe, it } from 'vitest';
import { startCrashWorld, type CrashWorld } from '../../helpers/crash-world.js';
import { KILLS, killUnderStream } from '../../helpers/crash-stream.js';
import { freshSchema, postgresUrl, rawQuery } from '../../helpers/postgres.js';

let world: CrashWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('kill -9 at random moments under a stream of registrations (PostgreSQL)', () => {
  it(`leaves nothing half done after any of ${KILLS} or more kills`, { timeout: 900_000 }, async () => {
    const schema = freshSchema();
    await rawQuery(`CREATE SCHEMA ${schema}`);
    const url = new URL(postgresUrl());
    url.searchParams.set('options', `-c search_path=${schema}`);
    await killUnderStream((world = await startCrashWorld({ databaseUrl: url.toString() })), 'PostgreSQL');
  });
});
