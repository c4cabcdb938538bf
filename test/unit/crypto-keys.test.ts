import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKeys } from '../../src/lib/crypto-keys.js';

describe('loadKeys', () => {
  it('generates a key once into DATA_DIR with mode 0600 and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'registrar-keys-'));
    const a = loadKeys({ dataDir: dir });
    const sealed = a.encrypt('hello');
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    const b = loadKeys({ dataDir: dir });
    expect(b.decrypt(sealed)).toBe('hello');
    expect(b.hash('x')).toBe(a.hash('x'));
  });

  it('encrypts with a fresh nonce and detects tampering', () => {
    const keys = loadKeys({ dataDir: '/nonexistent', secretKey: 'a'.repeat(64) });
    const one = keys.encrypt('same');
    expect(keys.encrypt('same')).not.toBe(one);
    const tampered = one.slice(0, -2) + (one.endsWith('A') ? 'BB' : 'AA');
    expect(() => keys.decrypt(tampered)).toThrow();
  });

  it('verifies hashes in constant time and only for the right value', () => {
    const keys = loadKeys({ dataDir: '/nonexistent', secretKey: 'b'.repeat(64) });
    const h = keys.hash('secret-value');
    expect(keys.verifyHash('secret-value', h)).toBe(true);
    expect(keys.verifyHash('secret-valuf', h)).toBe(false);
    expect(loadKeys({ dataDir: '/x', secretKey: 'c'.repeat(64) }).verifyHash('secret-value', h)).toBe(false);
  });
});
