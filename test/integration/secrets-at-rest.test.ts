import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppRecord } from '../../src/registry/app-records.js';
import { flowDriver, goodBasics } from '../helpers/flow.js';
import { scanDataDir } from '../helpers/scan-data-dir.js';
import { cardText, startWorld, type World } from '../helpers/world.js';

let world: World | undefined;
let umask: number;
// A umask of 0: a file created without an explicit mode would come out world-readable.
beforeEach(() => {
  umask = process.umask(0);
});
afterEach(async () => {
  process.umask(umask);
  await world?.close();
  world = undefined;
});

/** Installs the bot and registers an app with interactive messages; returns every secret that went by. */
async function installAndRegister() {
  const w = (world = await startWorld({ noInstall: true }));
  const { accessToken } = await w.install();
  const dm = await w.dm(w.alice);
  const flow = flowDriver(w, w.alice, dm.id);
  await flow.start();
  await flow.next({ appType: 'rest-api' });
  await flow.next(goodBasics);
  await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
  await flow.next({ scopes: 'ReadMessages', justification: '' });
  await flow.next({ access: 'private', partners: '' });
  await flow.next({ interactiveMessages: 'true', outboundWebhookUrl: 'https://hooks.example.com/rc' });
  await flow.click('submit');
  const shown = cardText(w.botCards(dm.id).at(-1)!.body);
  const clientSecret = shown.match(/rgr_cs_[0-9A-Za-z]{38}/)![0];
  const sharedSecret = shown.match(/rgr_ss_[0-9A-Za-z]{46}/)![0];
  const [app] = await w.bot.registry.listByOwner(w.account.id, w.alice.id);
  const secrets = { botToken: accessToken, clientSecret, sharedSecret, botAppClientSecret: w.app.clientSecret, botAppSharedSecret: w.app.sharedSecret };
  return { w, dm, app: app!, secrets };
}

describe('secrets at rest in DATA_DIR', () => {
  it('holds no bot token, client secret or shared secret in plain text after install and registration, and only private files', async () => {
    const w = (world = await startWorld({ noInstall: true }));
    const { accessToken } = await w.install();
    const afterInstall = scanDataDir(w.dataDir, { botToken: accessToken, botAppClientSecret: w.app.clientSecret, botAppSharedSecret: w.app.sharedSecret });
    expect(afterInstall.leaks).toEqual([]);
    expect(afterInstall.loose).toEqual([]);
    await w.close();

    const { w: w2, app, secrets } = await installAndRegister();
    const scan = scanDataDir(w2.dataDir, secrets);
    expect(scan.leaks).toEqual([]);
    expect(scan.loose).toEqual([]);
    const names = scan.entries.map((e) => e.split(' ')[0]);
    expect(names).toEqual(expect.arrayContaining(['.', 'secret.key', 'verification-token', 'registrar.json', 'registrar.journal', 'registrar.lock', 'handled-events.json', 'handled-events.journal']));
    // What is stored still works: the token posts, the client secret verifies, the shared secret opens.
    expect((await request(w2.bot.url).get(`/registry/clients/${app.clientId}`).auth(app.clientId, secrets.clientSecret)).status).toBe(200);
    const stored = (await w2.bot.services.store.collection<AppRecord>('apps').get(app.clientId))!;
    expect(w2.bot.services.keys.decrypt(stored.sharedSecretSealed!)).toBe(secrets.sharedSecret);
  });

  it('makes files restored with a looser mode private again at start-up, and says which', async () => {
    const { w, secrets } = await installAndRegister();
    await w.stop();
    for (const name of ['registrar.journal', 'secret.key', 'registrar.json']) chmodSync(join(w.dataDir, name), 0o644); // restored with cp
    chmodSync(w.dataDir, 0o755);
    await w.start();
    expect(scanDataDir(w.dataDir, secrets).loose).toEqual([]);
    const warned = w.logs.filter((l) => l.includes('looser mode than 0600'));
    expect(warned.map((l) => (JSON.parse(l) as { file: string }).file.slice(w.dataDir.length)).sort()).toEqual(['', '/registrar.journal', '/registrar.json', '/secret.key']);
    const dm = await w.dm(w.alice);
    expect((await w.say(w.alice, dm.id, 'help')).length).toBe(1);
    expect((statSync(join(w.dataDir, 'registrar.journal')).mode & 0o777).toString(8)).toBe('600');
  });
});
