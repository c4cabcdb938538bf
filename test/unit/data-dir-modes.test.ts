import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKeys } from '../../src/lib/crypto-keys.js';
import { tightenDataDir } from '../../src/lib/private-data-dir.js';
import { writeFileDurably } from '../../src/lib/write-file-durably.js';
import { createLowdbStore } from '../../src/store/lowdb-store.js';
import { scanDataDir } from '../helpers/scan-data-dir.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'registrar-modes-'));
const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

// A umask of 0 would make any file created without an explicit mode world-readable (0666): every
// file below must still come out 0600.
let umask: number;
beforeEach(() => {
  umask = process.umask(0);
});
afterEach(() => {
  process.umask(umask);
});

describe('files Registrar writes in DATA_DIR', () => {
  it('are 0600 after journal appends, compactions (rename) and with the lock held, whatever the umask', async () => {
    const dir = join(fresh(), 'data');
    const store = await createLowdbStore(dir, { compactAfterBytes: 512 });
    const apps = store.collection<{ n: number; pad: string }>('apps');
    const seen = new Set<string>();
    for (let n = 0; n < 40; n++) {
      await apps.put(`c${n % 5}`, { n, pad: 'x'.repeat(100) }); // several compactions
      const scan = scanDataDir(dir, {}); // while snapshots are being written, too
      expect(scan.loose).toEqual([]);
      for (const e of scan.entries) seen.add(e.split(' ')[0]!.replace(/\.\d+-[0-9a-f]+\.[0-9a-f]+\.tmp$/, '.tmp'));
    }
    await store.collection<{ at: number }>('seen-notifications').put('e1', { at: 1 });
    expect([...seen]).toEqual(expect.arrayContaining(['registrar.journal', 'registrar.json', 'registrar.lock']));
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['handled-events.journal', 'handled-events.json']));
    expect(scanDataDir(dir, {}).loose).toEqual([]);
    await store.close();
    expect(scanDataDir(dir, {}).loose).toEqual([]);
  });

  it('are 0600 for the key file and durable writes, and DATA_DIR is made 0700', async () => {
    const dir = join(fresh(), 'data');
    loadKeys({ dataDir: dir });
    await writeFileDurably(join(dir, 'sandbox.json'), '{}');
    expect(modeOf(dir)).toBe('700');
    expect(modeOf(join(dir, 'secret.key'))).toBe('600');
    expect(modeOf(join(dir, 'sandbox.json'))).toBe('600');
  });

  it('keep 0600 when a snapshot replaces a file that had a looser mode', async () => {
    const dir = fresh();
    const first = await createLowdbStore(dir, { compactAfterBytes: 256 });
    await first.collection('apps').put('a', { v: 1 });
    await first.close();
    chmodSync(join(dir, 'registrar.json'), 0o644);
    const again = await createLowdbStore(dir, { compactAfterBytes: 256 });
    for (let n = 0; n < 10; n++) await again.collection('apps').put('a', { v: n, pad: 'y'.repeat(100) });
    await again.close();
    expect(modeOf(join(dir, 'registrar.json'))).toBe('600');
  });
});

describe('tightenDataDir', () => {
  it('makes files 0600 and folders 0700, saying what it changed, and leaves symbolic links alone', () => {
    const dir = fresh();
    const outside = join(fresh(), 'elsewhere.txt');
    writeFileSync(outside, 'not ours', { mode: 0o644 });
    writeFileSync(join(dir, 'registrar.journal'), '', { mode: 0o644 }); // restored with cp
    writeFileSync(join(dir, 'secret.key'), 'k', { mode: 0o640 });
    writeFileSync(join(dir, 'registrar.json'), '{}', { mode: 0o600 });
    mkdirSync(join(dir, 'old'), { mode: 0o755 });
    writeFileSync(join(dir, 'old', 'copy.json'), '{}', { mode: 0o666 });
    symlinkSync(outside, join(dir, 'link'));
    chmodSync(dir, 0o755);

    const changed = tightenDataDir(dir).map((t) => `${t.path.slice(dir.length) || '/'} ${t.was.toString(8)}`);

    expect(changed.sort()).toEqual(['/ 755', '/old 755', '/old/copy.json 666', '/registrar.journal 644', '/secret.key 640']);
    expect(scanDataDir(dir, {}).loose).toEqual(['link is a symbolic link']);
    expect(modeOf(outside)).toBe('644');
    expect(tightenDataDir(dir)).toEqual([]);
  });
});

describe('scanDataDir', () => {
  it('finds a secret written plainly, in hex, or inside base64 at any alignment, and loose modes', () => {
    const dir = fresh();
    const secret = 'rgr_cs_0123456789abcdefghijABCDEFGHIJ0123456789';
    writeFileSync(join(dir, 'plain.json'), JSON.stringify({ s: secret }), { mode: 0o600 });
    writeFileSync(join(dir, 'hex.txt'), Buffer.from(secret).toString('hex'), { mode: 0o600 });
    for (const prefix of ['', 'a', 'ab']) {
      writeFileSync(join(dir, `b64-${prefix.length}.txt`), Buffer.from(`{"token":"${prefix}${secret}"}`).toString('base64'), { mode: 0o600 });
    }
    writeFileSync(join(dir, 'open.txt'), 'nothing', { mode: 0o644 });
    const scan = scanDataDir(dir, { clientSecret: secret });
    const files = new Set(scan.leaks.map((l) => l.split(' in ')[1]));
    expect([...files].sort()).toEqual(['b64-0.txt', 'b64-1.txt', 'b64-2.txt', 'hex.txt', 'plain.json']);
    expect(scan.leaks).toContain('clientSecret: plain in plain.json');
    expect(scan.loose).toEqual(['open.txt 0644']);
  });
});
