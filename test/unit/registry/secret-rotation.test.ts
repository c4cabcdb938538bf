import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../src/lib/clock.js';
import { keysFrom } from '../../../src/lib/crypto-keys.js';
import { createAppRegistry, type AppRecord } from '../../../src/registry/app-records.js';
import { newClientId } from '../../../src/registry/credentials.js';
import { loadScopeCatalog } from '../../../src/registry/scope-catalog.js';
import { rotationEffect } from '../../../src/registry/app-secrets.js';
import { createMemoryStore } from '../../../src/store/engine-store.js';
import type { AppDraft } from '../../../src/registry/fields.js';

const HOUR = 3_600_000;
const draft = {
  appType: 'rest-api', appName: 'Expense Sync', displayName: 'Expense Sync', primaryContact: 'a@b.example', promote: false,
  authMethod: 'jwt', scopes: ['ReadMessages'], access: 'private', interactiveMessages: true, outboundWebhookUrl: 'https://hooks.example.com/x',
} as unknown as AppDraft;

async function setup() {
  const clock = manualClock();
  const store = createMemoryStore();
  const registry = createAppRegistry({ store, keys: keysFrom(Buffer.alloc(32, 3)), catalog: loadScopeCatalog(), clock });
  const clientId = newClientId();
  const issued = await registry.create({ draft, accountId: 'acc', ownerId: 'alice', now: clock.now(), clientId });
  await registry.activate(clientId, clock.now());
  const verifies = async (secret: string) => (await registry.authorize(clientId, secret)) !== undefined;
  /** A rotation as the lifecycle runs it: issue, (deliver), complete. */
  const rotate = async (graceMs = 24 * HOUR) => {
    const fresh = (await registry.beginSecret(clientId, 'client'))!;
    expect(await verifies(fresh.secret)).toBe(false); // not delivered yet: verifies nothing
    await registry.completeSecret(clientId, 'client', fresh.entryId, graceMs);
    return fresh;
  };
  return { clock, registry, clientId, first: issued.clientSecret, verifies, rotate, store };
}

describe('client secret rotation with an overlap', () => {
  it('keeps both secrets working during the grace period and only the new one after it', async () => {
    const { clock, first, verifies, rotate } = await setup();
    expect(await verifies(first)).toBe(true);
    const second = await rotate();
    expect(await verifies(first)).toBe(true);
    expect(await verifies(second.secret)).toBe(true);
    clock.advance(24 * HOUR - 1);
    expect(await verifies(first)).toBe(true);
    clock.advance(1);
    expect(await verifies(first)).toBe(false);
    expect(await verifies(second.secret)).toBe(true);
  });

  it('ends the old secret at once when the grace is 0', async () => {
    const { first, verifies, rotate } = await setup();
    const second = await rotate(0);
    expect(await verifies(first)).toBe(false);
    expect(await verifies(second.secret)).toBe(true);
  });

  it('a third rotation ends the oldest at once: never more than two live', async () => {
    const { clock, registry, clientId, first, verifies, rotate } = await setup();
    const second = await rotate();
    clock.advance(HOUR);
    expect(rotationEffect((await registry.get(clientId))!.clientSecrets!, clock.now()).endsAtOnce?.last4).toBe(first.slice(-4));
    const third = await rotate();
    expect(await verifies(first)).toBe(false);
    expect(await verifies(second.secret)).toBe(true);
    expect(await verifies(third.secret)).toBe(true);
    expect((await registry.get(clientId))!.clientSecrets!.map((s) => s.last4)).toEqual([second.secret.slice(-4), third.secret.slice(-4)]);
    // The second keeps its own grace from the third rotation, not a day more.
    clock.advance(24 * HOUR);
    expect(await verifies(second.secret)).toBe(false);
    expect(await verifies(third.secret)).toBe(true);
  });

  it('a revoked secret ends at once, the other keeps working', async () => {
    const { registry, clientId, first, verifies, rotate } = await setup();
    const second = await rotate();
    const old = (await registry.get(clientId))!.clientSecrets!.find((s) => s.last4 === first.slice(-4))!;
    await registry.revokeSecret(clientId, 'client', old.id);
    expect(await verifies(first)).toBe(false);
    expect(await verifies(second.secret)).toBe(true);
    expect(await registry.revokeSecret(clientId, 'client', 'cs-nonexistent')).toBeUndefined();
    expect(await registry.revokeSecret(clientId, 'client', 'constructor')).toBeUndefined();
  });

  it('an issue that never reached its owner is dropped and changes nothing', async () => {
    const { registry, clientId, first, verifies } = await setup();
    const fresh = (await registry.beginSecret(clientId, 'client'))!;
    await registry.abandonSecret(clientId, 'client', fresh.entryId);
    expect(await verifies(first)).toBe(true);
    expect(await verifies(fresh.secret)).toBe(false);
    expect(await registry.completeSecret(clientId, 'client', fresh.entryId, HOUR)).toBeUndefined();
    expect(await verifies(fresh.secret)).toBe(false);
  });

  it('stores no secret in plain text: hashes and the last four characters only', async () => {
    const { registry, clientId, first, rotate } = await setup();
    const second = await rotate();
    const shared = (await registry.beginSecret(clientId, 'shared'))!;
    const stored = JSON.stringify(await registry.get(clientId));
    for (const secret of [first, second.secret, shared.secret]) expect(stored).not.toContain(secret.slice(7, 30));
  });

  it('suspended and deleted apps verify nothing, with the same answer as a wrong secret', async () => {
    const { registry, clientId, first, verifies } = await setup();
    for (const status of ['suspended', 'deleted', 'revoked'] as AppRecord['status'][]) {
      await registry.update(clientId, (r) => ({ ...r, status }));
      expect(await verifies(first)).toBe(false);
    }
    await registry.update(clientId, (r) => ({ ...r, status: 'active' }));
    expect(await verifies(first)).toBe(true);
    // Another last character (a secret ending in 'x' would otherwise be compared with itself).
    expect(await verifies(first.slice(0, -1) + (first.endsWith('x') ? 'y' : 'x'))).toBe(false);
  });

  it('reads a record from before rotation (one hash field) and rotates it', async () => {
    const { registry, clientId, first, verifies, rotate, store } = await setup();
    const apps = store.collection<AppRecord>('apps');
    const current = (await apps.get(clientId))!;
    const { clientSecrets, sharedSecrets, ...legacy } = current;
    await apps.put(clientId, { ...legacy, clientSecretHash: clientSecrets![0]!.hash, sharedSecretSealed: sharedSecrets![0]!.sealed });
    expect(await verifies(first)).toBe(true);
    const second = await rotate();
    expect(await verifies(first)).toBe(true);
    expect(await verifies(second.secret)).toBe(true);
    expect((await registry.get(clientId))!.clientSecrets).toHaveLength(2);
  });
});
