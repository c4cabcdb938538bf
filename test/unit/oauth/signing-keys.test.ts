import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keysFrom } from '../../../src/lib/crypto-keys.js';
import { createJwtCredentials } from '../../../src/oauth/jwt-credential-store.js';
import { loadSigningKeys } from '../../../src/oauth/signing-keys.js';
import { createMemoryStore } from '../../../src/store/engine-store.js';

const DAY = 86_400_000;

describe('signing key generations', () => {
  it('keep a retired key as long as a JWT credential it signed may live, and drop it after', async () => {
    const store = createMemoryStore();
    const keys = keysFrom(randomBytes(32));
    const t0 = Date.UTC(2026, 0, 1);
    const signingAt = (t: number) => loadSigningKeys({ store, keys, now: t, rotateAfterDays: 90, keepDays: 365 });
    const at = async (t: number) => createJwtCredentials({ store, keys, signing: await signingAt(t), issuer: 'https://r.example.com/oauth', clock: { now: () => t } });
    const { credential } = await (await at(t0)).issue({ clientId: 'c1', accountId: 'acc', personId: 'p', days: 365 });
    // Rotations at days 100, 200 and 300: the first generation is still needed by the credential.
    for (const day of [100, 200, 300]) expect(await (await at(t0 + day * DAY)).verify(credential, 'c1'), `day ${day}`).toBeDefined();
    expect((await signingAt(t0 + 300 * DAY)).publicJwks.length).toBe(8); // four generations, two keys each
    // Long after the credential expired, its generation is gone from the published set.
    const late = await signingAt(t0 + 500 * DAY);
    expect(late.publicJwks.length).toBe(8); // the day-0 generation went, the day-500 one came
    expect(late.publicJwks.every((k) => !String(k.kid).includes('2026-01-01'))).toBe(true);
  });
});
