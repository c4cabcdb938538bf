import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.js';

const root = join(import.meta.dirname, '..', '..');


describe('start-up settings', () => {
  const main = join(root, 'src', 'main.ts');
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', main], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 20_000 });

  it('exits non-zero naming a malformed variable', () => {
    const r = run({ PORT: 'eighty', DATA_DIR: mkdtempSync(join(tmpdir(), 'registrar-start-')) });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/PORT: must be a port number/);
  });

  it('exits non-zero naming each required setting that is missing outside the sandbox', () => {
    const r = run({ RINGCENTRAL_CLIENT_ID: 'abc', DATA_DIR: mkdtempSync(join(tmpdir(), 'registrar-start-')) });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/RINGCENTRAL_SHARED_SECRET/);
    expect(r.stderr).toMatch(/RINGCENTRAL_CLIENT_SECRET/);
    expect(r.stderr).toMatch(/BOT_PUBLIC_URL/);
  });

  it('exits non-zero naming DATA_DIR when it is a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'registrar-start-')), 'not-a-dir');
    writeFileSync(file, 'x');
    const r = run({ DATA_DIR: file, PORT: '3731' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/DATA_DIR: .* is not a writable directory/);
  });

  it('exits non-zero naming SCOPES_FILE when the catalog cannot be read', () => {
    const r = run({ DATA_DIR: mkdtempSync(join(tmpdir(), 'registrar-start-')), SCOPES_FILE: '/nonexistent/scopes.json', PORT: '3732' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/SCOPES_FILE/);
  });

  it.each([
    ['PORT', '0'],
    ['SECRET_REVEAL_SECONDS', '1e13'],
    ['APPROVAL_EXPIRE_DAYS', '100000'],
  ])('exits non-zero naming %s=%s', (name, value) => {
    const r = run({ DATA_DIR: mkdtempSync(join(tmpdir(), 'registrar-start-')), [name]: value });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${name}: must be`);
  });

  it('exits non-zero on an unknown delivery mode', () => {
    const r = run({ RINGCENTRAL_DELIVERY: 'carrier-pigeon', DATA_DIR: mkdtempSync(join(tmpdir(), 'registrar-start-')) });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/RINGCENTRAL_DELIVERY/);
  });
});

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('logs', () => {
  it('never contain the access token, the shared secret or the verification token', async () => {
    world = await startWorld({ noInstall: true });
    const { accessToken } = await world.install();
    const dm = await world.dm(world.alice);
    await world.say(world.alice, dm.id, 'help');
    await world.say(world.alice, dm.id, 'something odd');
    world.emulator.failNext(1, { status: 503 });
    await world.say(world.alice, dm.id, 'help');
    await world.emulator.uninstallBot({ clientId: world.app.clientId, accountId: world.account.id });
    await world.emulator.waitFor(() => world!.logs.some((l) => l.includes('installation removed')));
    const output = world.logs.join('\n');
    expect(world.logs.length).toBeGreaterThan(5);
    expect(output).toContain('bot installed'); // the capture really holds the run
    for (const secret of [accessToken, world.app.sharedSecret, world.app.clientSecret, world.bot.verificationToken]) {
      expect(secret.length).toBeGreaterThan(8);
      expect(output).not.toContain(secret);
    }
  });
});
