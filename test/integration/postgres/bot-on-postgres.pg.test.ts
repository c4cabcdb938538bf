import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshSchema, postgresUrl, rawQuery } from '../../helpers/postgres.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('the bot with DATABASE_URL', () => {
  it('keeps its data in PostgreSQL, sealed, and finds it again after a restart', async () => {
    // The bot takes its schema from the connection (search_path): an empty one for this test.
    const schema = freshSchema();
    await rawQuery(`CREATE SCHEMA "${schema}"`);
    const url = new URL(postgresUrl());
    url.searchParams.set('options', `-c search_path=${schema}`);
    world = await startWorld({
      noInstall: true,
      env: { DATABASE_URL: url.toString(), REGISTRAR_SECRET_KEY: 'ab'.repeat(32), RINGCENTRAL_VERIFICATION_TOKEN: 'the-same-token-on-every-instance' },
    });
    const { accessToken } = await world.install();
    const dm = await world.dm(world.alice);
    expect((await world.say(world.alice, dm.id, 'help'))[0]?.text).toMatch(/create app/i);

    const rows = await rawQuery<{ collection: string; body: string }>(`SELECT collection, body FROM "${schema}".registrar_documents`);
    expect(rows.map((r) => r.collection)).toEqual(expect.arrayContaining(['installations', 'meta']));
    expect(rows.find((r) => r.collection === 'installations')!.body).toContain(world.botId);
    expect(rows.map((r) => r.body).join('\n')).not.toContain(accessToken);
    expect(existsSync(join(world.dataDir, 'registrar.json'))).toBe(false);

    await world.stop();
    await world.start();
    expect(await world.bot.installations.list()).toHaveLength(1);
    expect((await world.say(world.alice, dm.id, 'help'))[0]?.text).toMatch(/create app/i);
  });
});
