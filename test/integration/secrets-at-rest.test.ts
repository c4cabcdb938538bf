import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keysFrom, parseMasterKey, type Keys } from '../../src/lib/crypto-keys.js';
import { sharedSecretsOf, type AppRecord } from '../../src/registry/app-records.js';
import { startChild, type Child } from '../helpers/child-process.js';
import { flowDriver, goodBasics } from '../helpers/flow.js';
import { scanDataDir } from '../helpers/scan-data-dir.js';
import { newestSecret, press, sayForCard, textOf } from '../helpers/lifecycle.js';
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

/** Every value sealed in the store's files (snapshots and journals), as written. */
function sealedInFiles(dir: string): string[] {
  const out = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => /\.(json|journal)$/.test(n))) {
    for (const m of readFileSync(join(dir, name), 'utf8').matchAll(/"(v1\.[A-Za-z0-9_-]{38,})"/g)) out.add(m[1]!);
  }
  return [...out];
}

const opens = (keys: Keys, sealed: string) => {
  try {
    keys.decrypt(sealed);
    return true;
  } catch {
    return false;
  }
};
const exitOf = (child: Child) =>
  new Promise<number | null>((resolve) => (child.process.exitCode !== null ? resolve(child.process.exitCode) : child.process.once('exit', resolve)));
const keyIn = (dir: string) => keysFrom(parseMasterKey(readFileSync(join(dir, 'secret.key'), 'utf8').trim()));

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
    expect(w2.bot.services.keys.decrypt(sharedSecretsOf(stored)[0]!.sealed)).toBe(secrets.sharedSecret);
  });

  it('still holds no secret in plain text, and only private files, after a rotation of both secrets and an edit', async () => {
    const { w, dm, app, secrets } = await installAndRegister();
    const card = await sayForCard(w, w.alice, dm.id, 'app Expense Sync');
    await press(w, card, w.alice, 'Rotate client secret');
    const rotatedClient = newestSecret(w, dm.id, 'cs').secret;
    await press(w, card, w.alice, 'Rotate shared secret');
    const rotatedShared = newestSecret(w, dm.id, 'ss').secret;
    expect(rotatedClient).not.toBe(secrets.clientSecret);
    expect(rotatedShared).not.toBe(secrets.sharedSecret);
    // An edit: the form opens at its review; a scope more, saved.
    const before = w.botCards(dm.id).length;
    await w.emulator.post({ chatId: dm.id, personId: w.alice.id, text: 'edit app Expense Sync' });
    await w.emulator.waitFor(() => w.botCards(dm.id).length > before, { message: 'no edit form' });
    const flow = flowDriver(w, w.alice, dm.id);
    await flow.click('edit', {}, { section: 'scopes' });
    await flow.next({ scopes: 'ReadMessages,SMS' });
    await flow.click('submit');
    expect(textOf(w, flow.flowCard().id)).toMatch(/Changes saved/);
    const scan = scanDataDir(w.dataDir, { ...secrets, rotatedClient, rotatedShared });
    expect(scan.leaks).toEqual([]);
    expect(scan.loose).toEqual([]);
    // And everything still works: both client secrets verify (the grace), the new shared secret opens.
    expect((await request(w.bot.url).get(`/registry/clients/${app.clientId}`).auth(app.clientId, secrets.clientSecret)).status).toBe(200);
    expect((await request(w.bot.url).get(`/registry/clients/${app.clientId}`).auth(app.clientId, rotatedClient)).body.scopes).toEqual(['ReadMessages', 'SMS']);
    const stored = (await w.bot.services.store.collection<AppRecord>('apps').get(app.clientId))!;
    expect(sharedSecretsOf(stored).map((e) => w.bot.services.keys.decrypt(e.sealed))).toEqual([secrets.sharedSecret, rotatedShared]);
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

  it('npm run rekey is refused while the bot runs; after it, only the new key opens anything, old secrets verify and the bot works', async () => {
    const { w, dm, app, secrets } = await installAndRegister();
    const rekey = () => startChild({ ...w.env }, join(import.meta.dirname, '..', '..', 'src', 'rekey', 'main.ts'));

    const refused = rekey();
    await refused.waitFor(/is in use by another Registrar process/);
    expect(await exitOf(refused)).toBe(1);

    await w.stop();
    const oldKeys = keyIn(w.dataDir);
    const before = sealedInFiles(w.dataDir);
    expect(before.length).toBeGreaterThanOrEqual(3); // key check, bot token, shared secret
    const run = rekey();
    await run.waitFor('Re-keyed');
    expect(await exitOf(run)).toBe(0);
    const newKeys = keyIn(w.dataDir);

    const after = sealedInFiles(w.dataDir);
    expect(after.filter((s) => opens(oldKeys, s))).toEqual([]); // no earlier line of the journal is left either
    expect(after.every((s) => opens(newKeys, s))).toBe(true);
    const scan = scanDataDir(w.dataDir, secrets);
    expect(scan.leaks).toEqual([]);
    expect(scan.loose).toEqual([]);

    await w.start();
    expect((await request(w.bot.url).get(`/registry/clients/${app.clientId}`).auth(app.clientId, secrets.clientSecret)).status).toBe(200);
    const stored = (await w.bot.services.store.collection<AppRecord>('apps').get(app.clientId))!;
    expect(opens(oldKeys, sharedSecretsOf(stored)[0]!.sealed)).toBe(false);
    expect(w.bot.services.keys.decrypt(sharedSecretsOf(stored)[0]!.sealed)).toBe(secrets.sharedSecret);
    const replies = await w.say(w.alice, dm.id, 'help'); // posted with the bot token, opened with the new key
    expect(replies).toHaveLength(1);
  });
});
