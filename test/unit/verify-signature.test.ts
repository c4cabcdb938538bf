import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { safeEqual, verifyGlipSignature } from '../../src/http/verify-signature.js';

const secret = 'shared-secret-for-tests';
const rawBody = Buffer.from('{"uuid":"1","type":"button_submit","data":{"action":"next"}}');
const hex = createHmac('sha1', secret).update(rawBody).digest('hex');

describe('verifyGlipSignature', () => {
  it('accepts the bare hex digest and the sha1= form', () => {
    expect(verifyGlipSignature({ secret, rawBody, signature: hex })).toBe(true);
    expect(verifyGlipSignature({ secret, rawBody, signature: `sha1=${hex}` })).toBe(true);
    expect(verifyGlipSignature({ secret, rawBody, signature: hex.toUpperCase() })).toBe(true);
  });

  it('rejects a body with one flipped byte', () => {
    const flipped = Buffer.from(rawBody);
    flipped[10] = flipped[10]! ^ 1;
    expect(verifyGlipSignature({ secret, rawBody: flipped, signature: hex })).toBe(false);
  });

  it('rejects a signature made with another secret', () => {
    const other = createHmac('sha1', 'another-secret').update(rawBody).digest('hex');
    expect(verifyGlipSignature({ secret, rawBody, signature: other })).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['short', hex.slice(0, 39)],
    ['long', `${hex}0`],
    ['non-hex', `${hex.slice(0, 39)}g`],
    ['a sha256 digest', createHmac('sha256', secret).update(rawBody).digest('hex')],
    ['only the prefix', 'sha1='],
  ])('rejects a %s signature', (_name, signature) => {
    expect(verifyGlipSignature({ secret, rawBody, signature })).toBe(false);
  });
});

describe('safeEqual', () => {
  it('is true only for identical strings', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abd', 'abc')).toBe(false);
    expect(safeEqual('ab', 'abc')).toBe(false);
    expect(safeEqual(undefined, 'abc')).toBe(false);
  });
});
