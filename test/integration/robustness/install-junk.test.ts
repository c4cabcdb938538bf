import { SDK } from '@ringcentral/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** The SDK keeps every instance's tokens in one storage for the whole process (contract 8). */
const sdkStorageKeys = () => Object.keys(new SDK({ server: 'http://127.0.0.1:9' }).externals().localStorage as object).length;

const install = (w: World, body: Record<string, string>) =>
  fetch(`${w.bot.url}/bot/oauth`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });

describe('POST /bot/oauth with tokens that do not work', () => {
  it('keeps nothing of a failed install: no SDK storage, no masked token, no client', async () => {
    world = await startWorld();
    const before = sdkStorageKeys();
    const junk = Array.from({ length: 40 }, (_, i) => `junk-token-${i}-${'x'.repeat(40)}`);
    for (const token of junk) {
      const res = await install(world, { access_token: token, client_id: world.app.clientId });
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    expect(sdkStorageKeys()).toBe(before);
    // A junk token kept in the logger's secret set would be masked in every later line.
    world.bot.services.log.info('probe', { note: junk[7] });
    expect(world.logs.at(-1)).toContain(junk[7]);
    // The real installation still works.
    const dm = await world.dm(world.alice);
    await world.say(world.alice, dm.id, 'help');
  });

  it('refuses an install without client_id, or with another app\'s, before using the token', async () => {
    world = await startWorld();
    const other = world.emulator.registerApp({ name: 'Other bot', kind: 'private', redirectUri: `http://127.0.0.1:${await freePort()}/oauth` });
    const { accessToken } = await world.emulator.installBot({ clientId: other.clientId, accountId: world.account.id, installerId: world.bob.id });
    const calls = world.emulator.requests.length;
    expect((await install(world, { access_token: accessToken })).status).toBe(401);
    expect((await install(world, { access_token: accessToken, client_id: other.clientId })).status).toBe(401);
    // Refused before any RingCentral call was made with the token.
    expect(world.emulator.requests.slice(calls).filter((r) => r.path.includes('/extension/'))).toEqual([]);
    const [installation] = await world.bot.installations.list();
    expect(installation?.botId).toBe(world.botId);
  });
});
