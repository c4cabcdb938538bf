import { rotationCrashSuite } from '../../helpers/crash-lifecycle.js';
import { freshSchema, postgresUrl, rawQuery } from '../../helpers/postgres.js';

rotationCrashSuite('PostgreSQL', async () => {
  const schema = freshSchema();
  await rawQuery(`CREATE SCHEMA ${schema}`);
  const url = new URL(postgresUrl());
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { databaseUrl: url.toString() };
});
