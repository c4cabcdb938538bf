import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/world.js';

const root = join(import.meta.dirname, '..', '..', '..');
const main = join(root, 'src', 'main.ts');
const production = {
  RINGCENTRAL_CLIENT_ID: 'client-id',
  RINGCENTRAL_CLIENT_SECRET: 'client-secret',
  RINGCENTRAL_SHARED_SECRET: 'shared-secret-value',
  BOT_PUBLIC_URL: 'https://bot.example.com',
  // Nothing listens here: start-up must stop before it would matter.
  RINGCENTRAL_SERVER_URL: 'http://127.0.0.1:9',
  ADMIN_IDS: '1',
  LOG_LEVEL: 'silent',
};
const run = (env: Record<string, string>, timeout = 20_000) =>
  spawnSync(process.execPath, ['--import', 'tsx', main], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout });

/** Starts main.ts, resolves with its output once `marker` appears (or it exits), then stops it. */
function runUntil(env: Record<string, string>, marker: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', main], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } });
  let out = '';
  return new Promise((resolve) => {
    const done = () => {
      child.kill('SIGTERM');
      resolve(out);
    };
    const timer = setTimeout(done, 15_000);
    const take = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(marker)) {
        clearTimeout(timer);
        child.once('exit', () => resolve(out));
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

describe('secret files Registrar generates in DATA_DIR', () => {
  it.each([
    ['verification-token', ''],
    ['verification-token', 'short'],
    ['verification-token', 'has spaces in the middle of it'],
    ['secret.key', ''],
    ['secret.key', 'abcd'],
    ['secret.key', 'z'.repeat(64)],
  ])('stop start-up naming %s when it holds %j, and are left as they were', async (file, content) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'registrar-secret-'));
    writeFileSync(join(dataDir, file), content);
    const r = run({ ...production, DATA_DIR: dataDir, PORT: String(await freePort()) });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(join(dataDir, file));
    expect(readFileSync(join(dataDir, file), 'utf8')).toBe(content);
  });

  it('are created whole and private, in a DATA_DIR created private at every level', async () => {
    const base = mkdtempSync(join(tmpdir(), 'registrar-secret-'));
    const dataDir = join(base, 'a', 'b', 'data');
    const port = await freePort();
    // The bot creates everything before it listens; it is stopped once it does.
    const output = await runUntil({ ...production, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' }, 'bot listening');
    expect(output).toContain('bot listening');
    for (const dir of [join(base, 'a'), join(base, 'a', 'b'), dataDir]) expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of ['verification-token', 'secret.key']) {
      expect(statSync(join(dataDir, file)).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(join(dataDir, 'verification-token'), 'utf8').trim()).toMatch(/^[\x21-\x7e]{16,64}$/);
    expect(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('a PORT already in use', () => {
  it('stops start-up with a message naming PORT', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '0.0.0.0', resolve));
    try {
      const dataDir = mkdtempSync(join(tmpdir(), 'registrar-port-'));
      mkdirSync(dataDir, { recursive: true });
      const r = run({ ...production, DATA_DIR: dataDir, PORT: String(port) });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`PORT: ${port} is already in use`));
      expect(r.stderr).not.toMatch(/TypeError/);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
