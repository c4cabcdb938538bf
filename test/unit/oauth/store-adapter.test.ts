import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keysFrom } from '../../../src/lib/crypto-keys.js';
import { storeAdapter } from '../../../src/oauth/store-adapter.js';
import { createMemoryStore } from '../../../src/store/engine-store.js';

const setup = () => {
  const store = createMemoryStore();
  const keys = keysFrom(randomBytes(32));
  const Adapter = storeAdapter({ store, keys });
  return { store, keys, Adapter };
};

describe("oidc-provider's adapter over the store", () => {
  it('finds what it keeps by id, uid and grant, without the id or the payload in clear', async () => {
    const { store, Adapter } = setup();
    const codes = new Adapter('AuthorizationCode');
    const id = 'the-code-value-is-its-id';
    await codes.upsert(id, { jti: id, uid: 'uid-1', grantId: 'grant-1', accountId: 'bob', exp: 9e9 }, 60);
    expect(await codes.find(id)).toMatchObject({ jti: id, accountId: 'bob' });
    expect(await codes.findByUid('uid-1')).toMatchObject({ jti: id });
    const raw = JSON.stringify(await store.collection('oauth').list());
    for (const clear of [id, 'uid-1', 'grant-1', 'bob']) expect(raw).not.toContain(clear);
    // Models do not see each other's ids.
    expect(await new Adapter('RefreshToken').find(id)).toBeUndefined();
  });

  it('marks a first use only, ends a grant across its documents, destroys, and forgets what expired', async () => {
    const { Adapter } = setup();
    const tokens = new Adapter('RefreshToken');
    await tokens.upsert('rt-1', { jti: 'rt-1', grantId: 'g' }, 60);
    await tokens.upsert('rt-2', { jti: 'rt-2', grantId: 'g' }, 60);
    await tokens.upsert('rt-3', { jti: 'rt-3', grantId: 'other' }, 60);
    await tokens.consume('rt-1');
    const consumed = (await tokens.find('rt-1'))!.consumed;
    expect(consumed).toEqual(expect.any(Number));
    await tokens.revokeByGrantId('g');
    expect(await tokens.find('rt-1')).toBeUndefined();
    expect(await tokens.find('rt-2')).toBeUndefined();
    expect(await tokens.find('rt-3')).toBeDefined();
    await tokens.destroy('rt-3');
    expect(await tokens.find('rt-3')).toBeUndefined();
    await tokens.upsert('gone', { jti: 'gone' }, -1);
    expect(await tokens.find('gone')).toBeDefined(); // no expiry given: kept until destroyed
    await tokens.upsert('short', { jti: 'short' }, 0.001);
    await new Promise((r) => setTimeout(r, 5));
    expect(await tokens.find('short')).toBeUndefined();
  });

  it('ends the whole grant when a second use loses the race to the first', async () => {
    const { Adapter } = setup();
    const codes = new Adapter('AuthorizationCode');
    const access = new Adapter('AccessToken');
    const grants = new Adapter('Grant');
    await grants.upsert('g', { jti: 'g' }, 60);
    await codes.upsert('c', { jti: 'c', grantId: 'g' }, 60);
    await access.upsert('at', { jti: 'at', grantId: 'g' }, 60);
    await codes.consume('c');
    await expect(codes.consume('c')).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await access.find('at')).toBeUndefined();
    expect(await grants.find('g')).toBeUndefined();
  });

  it('treats inherited names as ids like any other', async () => {
    const { Adapter } = setup();
    const sessions = new Adapter('Session');
    for (const id of ['constructor', '__proto__', 'toString']) expect(await sessions.find(id)).toBeUndefined();
    expect(await sessions.findByUid('constructor')).toBeUndefined();
  });
});
