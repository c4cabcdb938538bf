import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { keysFrom } from '../../../src/lib/crypto-keys.js';
import { crc32 } from '../../../src/registry/crc32.js';
import {
  CLIENT_SECRET_REGEX,
  isWellFormedClientSecret,
  isWellFormedSharedSecret,
  newClientId,
  newClientSecret,
  newSharedSecret,
  sealCredentials,
  SECRET_SCAN_REGEX,
  SHARED_SECRET_REGEX,
  verifyClientSecret,
} from '../../../src/registry/credentials.js';

const keys = keysFrom(Buffer.alloc(32, 7));

/** Changes one character of the random part to another base62 character. */
const typo = (secret: string, at: number) => secret.slice(0, at) + (secret[at] === 'a' ? 'b' : 'a') + secret.slice(at + 1);

describe('crc32', () => {
  it('matches the standard check value and zlib', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('rgr test ✓')).toBe(zlibCrc32('rgr test ✓'));
  });
});

describe('credential formats', () => {
  it('makes client ids of 22 base62 characters', () => {
    expect(newClientId()).toMatch(/^[0-9A-Za-z]{22}$/);
  });

  it('makes client secrets with a prefix, 32 random characters and a 6-character checksum', () => {
    const secret = newClientSecret();
    expect(secret).toMatch(/^rgr_cs_[0-9A-Za-z]{38}$/);
    expect(secret).toMatch(CLIENT_SECRET_REGEX);
    expect(isWellFormedClientSecret(secret)).toBe(true);
  });

  it('makes shared secrets with their own prefix, 40 random characters and a checksum', () => {
    const secret = newSharedSecret();
    expect(secret).toMatch(/^rgr_ss_[0-9A-Za-z]{46}$/);
    expect(secret).toMatch(SHARED_SECRET_REGEX);
    expect(isWellFormedSharedSecret(secret)).toBe(true);
    expect(isWellFormedClientSecret(secret)).toBe(false);
  });

  it('catches a one-character typo anywhere in the secret through the checksum', () => {
    const secret = newClientSecret();
    for (let at = 7; at < secret.length; at++) expect(isWellFormedClientSecret(typo(secret, at))).toBe(false);
    const shared = newSharedSecret();
    expect(isWellFormedSharedSecret(typo(shared, 20))).toBe(false);
  });

  it('rejects secrets with the wrong prefix, length or characters', () => {
    const secret = newClientSecret();
    expect(isWellFormedClientSecret(secret.replace('rgr_cs_', 'rgr_xx_'))).toBe(false);
    expect(isWellFormedClientSecret(secret.slice(0, -1))).toBe(false);
    expect(isWellFormedClientSecret(`${secret.slice(0, 10)}-${secret.slice(11)}`)).toBe(false);
    expect(isWellFormedClientSecret(undefined)).toBe(false);
  });

  it('draws 1000 distinct ids and secrets', () => {
    const draws = (make: () => string) => new Set(Array.from({ length: 1000 }, make)).size;
    expect(draws(newClientId)).toBe(1000);
    expect(draws(newClientSecret)).toBe(1000);
    expect(draws(newSharedSecret)).toBe(1000);
  });

  it('uses every base62 character over many draws', () => {
    const seen = new Set(Array.from({ length: 200 }, newClientId).join(''));
    expect(seen.size).toBe(62);
  });

  it('lets scanners find secrets inside other text', () => {
    const client = newClientSecret();
    const shared = newSharedSecret();
    const found = `token=${client} and "${shared}".`.match(new RegExp(SECRET_SCAN_REGEX.source, 'g'));
    expect(found).toEqual([client, shared]);
  });
});

describe('sealCredentials and verifyClientSecret', () => {
  it('stores a hash of the client secret and the shared secret encrypted', () => {
    const clientSecret = newClientSecret();
    const sharedSecret = newSharedSecret();
    const sealed = sealCredentials(keys, { clientSecret, sharedSecret });
    expect(sealed.clientSecretHash).toBe(keys.hash(clientSecret));
    expect(JSON.stringify(sealed)).not.toContain(clientSecret);
    expect(JSON.stringify(sealed)).not.toContain(sharedSecret);
    expect(keys.decrypt(sealed.sharedSecretSealed ?? '')).toBe(sharedSecret);
  });

  it('leaves the shared secret out when there is none', () => {
    expect(sealCredentials(keys, { clientSecret: newClientSecret() })).not.toHaveProperty('sharedSecretSealed');
  });

  it('refuses to seal a malformed secret', () => {
    expect(() => sealCredentials(keys, { clientSecret: 'hunter2' })).toThrow(expect.objectContaining({ code: 'CREDENTIAL_MALFORMED' }));
  });

  it('verifies the right secret and rejects a typo, another secret or another key', () => {
    const secret = newClientSecret();
    const { clientSecretHash } = sealCredentials(keys, { clientSecret: secret });
    expect(verifyClientSecret(keys, secret, clientSecretHash)).toBe(true);
    expect(verifyClientSecret(keys, typo(secret, 12), clientSecretHash)).toBe(false);
    expect(verifyClientSecret(keys, newClientSecret(), clientSecretHash)).toBe(false);
    expect(verifyClientSecret(keysFrom(Buffer.alloc(32, 8)), secret, clientSecretHash)).toBe(false);
  });

  it('rejects a malformed secret without hashing it', () => {
    let hashed = 0;
    const counting = { ...keys, verifyHash: (v: string, h: string) => (hashed++, keys.verifyHash(v, h)) };
    expect(verifyClientSecret(counting, 'not-a-secret', keys.hash('not-a-secret'))).toBe(false);
    expect(hashed).toBe(0);
  });
});
