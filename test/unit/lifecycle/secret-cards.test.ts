import { describe, expect, it } from 'vitest';
import { afterRotationText, rotationText, secretName } from '../../../src/lifecycle/secret-cards.js';
import { personIdIn } from '../../../src/lifecycle/hand-over.js';
import type { AppRecord } from '../../../src/registry/app-records.js';
import type { ClientSecretEntry } from '../../../src/registry/app-secrets.js';

const NOW = Date.parse('2026-11-29T10:00:00Z');
const entry = (id: string, last4: string, extra: Partial<ClientSecretEntry> = {}): ClientSecretEntry => ({ id, hash: 'h', last4, issuedAt: '2026-11-01T00:00:00.000Z', ...extra });
const app = (clientSecrets: ClientSecretEntry[]) => ({ clientSecrets, sharedSecrets: [] }) as unknown as AppRecord;

describe('what the app card says a rotation will do', () => {
  it('with one live secret: it keeps the grace period', () => {
    expect(rotationText(app([entry('a', 'ab12')]), 'client', NOW, 24)).toBe('Rotating gives you a new client secret, shown once in a private card. …ab12 keeps working for 24 hours, then stops.');
  });

  it('with two live secrets: the older stops at once', () => {
    const two = app([entry('a', 'ab12', { endsAt: '2026-11-29T20:00:00.000Z' }), entry('b', 'cd34')]);
    expect(rotationText(two, 'client', NOW, 1)).toBe('Rotating gives you a new client secret, shown once in a private card. Two are live now, so …ab12 stops at once; …cd34 keeps working for 1 hour, then stops.');
  });

  it('with no grace period set, or no live secret', () => {
    expect(rotationText(app([entry('a', 'ab12')]), 'client', NOW, 0)).toContain('…ab12 stops at once (no grace period is set)');
    expect(rotationText(app([entry('a', 'ab12', { endsAt: '2026-11-29T09:00:00.000Z' })]), 'client', NOW, 24)).toContain('No client secret works now');
  });

  it('names a secret from before rotation existed without its last four', () => {
    expect(secretName({ last4: '' })).toBe('the first secret');
  });
});

describe('what the new secret card says about the ones before', () => {
  it('names the one in its grace period and the one that ended', () => {
    const before = [entry('a', 'ab12', { endsAt: '2026-11-29T20:00:00.000Z' }), entry('b', 'cd34')];
    const after = [entry('b', 'cd34', { endsAt: '2026-11-30T10:00:00.000Z' }), entry('c', 'ef56')];
    expect(afterRotationText(before, after, 'c')).toBe('Put the new secret in place. …cd34 keeps working until 2026-11-30 10:00 UTC, then stops. …ab12 stopped working now.');
  });
});

describe('the new owner typed on the card', () => {
  it.each([
    ['400123', '400123'],
    [' 400123 ', '400123'],
    ['![:Person](400123)', '400123'],
    ['Bob', undefined],
    ['<at id="400123"/>', undefined],
    ['![:Team](400123)', undefined],
    ['', undefined],
    ['1'.repeat(21), undefined],
  ])('%j gives %j', (typed, id) => {
    expect(personIdIn(typed)).toBe(id);
  });
});
