import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Production runs compiled JavaScript: `npm run build` writes dist/, and `node dist/main.js` (the
 * README's `npm run start:prod`) starts the bot with no TypeScript loader, its cards, scope catalog
 * and icon found from there.
 */
const root = join(import.meta.dirname, '..', '..');
const children: ReturnType<typeof spawn>[] = [];
afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('the production build', () => {
  it('compiles to dist/ and starts with plain node: health, discovery, the registry and the icon answer', { timeout: 120_000 }, async () => {
    const built = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8', timeout: 110_000 });
    expect(built.status, built.stderr).toBe(0);
    for (const file of ['main.js', 'registry/scopes.json', 'http/bot-icon.png']) expect(existsSync(join(root, 'dist', file)), file).toBe(true);

    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      RINGCENTRAL_CLIENT_ID: 'prod-test-client',
      RINGCENTRAL_CLIENT_SECRET: 'prod-test-secret',
      RINGCENTRAL_SHARED_SECRET: 'prod-test-shared-secret',
      RINGCENTRAL_SERVER_URL: 'http://127.0.0.1:9',
      BOT_PUBLIC_URL: `http://127.0.0.1:${port}`,
      PORT: String(port),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'registrar-prod-')),
    };
    const child = spawn(process.execPath, [join(root, 'dist', 'main.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    // Nothing loads TypeScript: no loader flag, and the process runs a .js entry.
    expect(child.spawnargs.join(' ')).not.toMatch(/tsx|--import|--loader/);
    const deadline = Date.now() + 30_000;
    while (!out.includes('bot listening') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain('bot listening');
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const discovery = await fetch(`${base}/oauth/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(`${base}/oauth`);
    expect((await fetch(`${base}/registry/clients/nope`)).status).toBe(401);
    const icon = await fetch(`${base}/bot/icon.png`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/image\/png/);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    expect(out).toContain('shutting down');
  });
});
