import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';

/**
 * The store contract: what every adapter (memory, lowdb, PostgreSQL) must do, run unchanged
 * against each. `open` gives a fresh, empty store; `second` (when the adapter can be shared by
 * several processes) a second handle on the same data; `reopen` the same data after close.
 */
export interface ContractTarget {
  open(): Promise<Store>;
  second?: (first: Store) => Promise<Store>;
  reopen?: (closed: Store) => Promise<Store>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function storeContract(name: string, target: ContractTarget) {
  describe(`store contract: ${name}`, () => {
    it('puts, gets, updates and deletes JSON copies', async () => {
      const store = await target.open();
      const c = store.collection<{ n: number; tags: string[]; at?: unknown }>('things');
      await c.put('a', { n: 1, tags: ['x'], at: new Date(0) as unknown });
      const got = await c.get('a');
      got!.tags.push('mutated');
      expect(await c.get('a')).toEqual({ n: 1, tags: ['x'], at: '1970-01-01T00:00:00.000Z' });
      const { before, after } = await c.update('a', (cur) => cur && { ...cur, n: 2 });
      expect([before?.n, after?.n]).toEqual([1, 2]);
      expect(await c.update('a', () => undefined)).toMatchObject({ before: { n: 2 }, after: { n: 2 } });
      expect(await c.count()).toBe(1);
      expect(await c.delete('a')).toBe(true);
      expect(await c.delete('a')).toBe(false);
      expect(await c.get('a')).toBeUndefined();
      expect(await c.list()).toEqual([]);
      await store.close();
    });

    it('stores JSON objects only, under ids of up to 1,024 bytes', async () => {
      const store = await target.open();
      const c = store.collection<unknown>('things');
      for (const bad of [null, 5, 'text', [1], true]) {
        await expect(c.put('a', bad)).rejects.toMatchObject({ code: 'STORE_VALUE_INVALID' });
        await expect(c.update('a', () => bad)).rejects.toMatchObject({ code: 'STORE_VALUE_INVALID' });
      }
      const longest = `${'😀'.repeat(200)}${'é'.repeat(100)}${'x'.repeat(24)}`; // 800 + 200 + 24 bytes
      await c.put(longest, { v: 1 });
      expect(await c.get(longest)).toEqual({ v: 1 });
      await expect(c.put(`${longest}y`, { v: 1 })).rejects.toMatchObject({ code: 'STORE_ID_INVALID' });
      await expect(c.update(`${longest}y`, () => ({ v: 1 }))).rejects.toMatchObject({ code: 'STORE_ID_INVALID' });
      expect(await c.count()).toBe(1);
      await store.close();
    });

    it('treats ids and collection names like inherited properties as plain ones', async () => {
      const store = await target.open();
      for (const coll of ['things', '__proto__', 'constructor']) {
        const c = store.collection<{ v: number }>(coll);
        for (const id of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
          expect(await c.get(id)).toBeUndefined();
          expect((await c.update(id, (cur) => cur ?? { v: 1 })).before).toBeUndefined();
          expect(await c.get(id)).toEqual({ v: 1 });
        }
        expect(await c.count()).toBe(5);
      }
      await store.close();
    });

    it('lets exactly one of many concurrent updates claim a key', async () => {
      const store = await target.open();
      const other = target.second ? await target.second(store) : store;
      const handles = [store, other];
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => handles[i % 2]!.collection<{ by: number }>('claims').update('k', (cur) => cur ?? { by: i })),
      );
      const winners = results.filter((r) => r.before === undefined);
      expect(winners).toHaveLength(1);
      expect((await store.collection<{ by: number }>('claims').get('k'))?.by).toBe(winners[0]!.after!.by);
      if (other !== store) await other.close();
      await store.close();
    });

    it('applies concurrent conditional updates one after another (a counter loses nothing)', async () => {
      const store = await target.open();
      const other = target.second ? await target.second(store) : store;
      const bump = (s: Store) => s.collection<{ n: number }>('counters').update('c', (cur) => ({ n: (cur?.n ?? 0) + 1 }));
      await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 ? other : store)));
      expect(await store.collection<{ n: number }>('counters').get('c')).toEqual({ n: 20 });
      if (other !== store) await other.close();
      await store.close();
    });

    it('finds documents by an equality index, and follows them when their keys change', async () => {
      const store = await target.open();
      const requests = store.collection<Record<string, unknown>>('approvals');
      const base = { accountId: 'acc', appName: 'A', appType: 'rest-api', requesterId: 'p', scopes: ['S'], justification: '', requestedAt: 10, raisedAt: 10, adminChatId: null, cardId: 'card', decision: null };
      await requests.put('r1', { ...base, id: 'r1', clientId: 'c1', status: 'open' });
      await requests.put('r2', { ...base, id: 'r2', clientId: 'c1', status: 'open' });
      await requests.put('r3', { ...base, id: 'r3', clientId: 'c2', status: 'decided', decision: { by: 'd', at: 20, approved: ['S'], rejected: [], reason: null } });
      const ids = async (index: string, key: string) => (await requests.find(index, key)).map((r) => r.id).sort();
      expect(await ids('client', 'c1')).toEqual(['r1', 'r2']);
      expect(await ids('open', 'acc')).toEqual(['r1', 'r2']);
      await requests.update('r2', (cur) => cur && { ...cur, status: 'expired' });
      expect(await ids('open', 'acc')).toEqual(['r1']);
      await requests.delete('r1');
      expect(await ids('client', 'c1')).toEqual(['r2']);
      expect(await ids('client', 'nobody')).toEqual([]);
      expect(await ids('client', '__proto__')).toEqual([]);
      await store.close();
    });

    it('reads due documents lowest first, up to a bound and a limit, and prunes them', async () => {
      const store = await target.open();
      const seen = store.collection<{ at: number }>('seen-submits');
      for (const [id, at] of [['e', 50], ['a', 10], ['c', 30], ['b', 20], ['d', 40]] as const) await seen.put(id, { at });
      expect((await seen.due('at', 30)).map((s) => s.at)).toEqual([10, 20, 30]);
      expect((await seen.due('at', 100, 2)).map((s) => s.at)).toEqual([10, 20]);
      await seen.update('a', () => ({ at: 60 }));
      expect((await seen.due('at', 30)).map((s) => s.at)).toEqual([20, 30]);
      expect(await seen.prune('at', 40)).toBe(3);
      expect((await seen.list()).map((s) => s.at).sort()).toEqual([50, 60]);
      expect(await seen.prune('at', 0)).toBe(0);
      await store.close();
    });

    it('leaves out of an ordered index what its function leaves out', async () => {
      const store = await target.open();
      const reveals = store.collection<{ cardId: string; accountId: string; clientId: string; hideAt: number; hidden: boolean }>('reveals');
      await reveals.put('x', { cardId: 'x', accountId: 'a', clientId: 'c', hideAt: 5, hidden: true });
      await reveals.put('y', { cardId: 'y', accountId: 'a', clientId: 'c', hideAt: 6, hidden: false });
      expect((await reveals.due('hideAt', 100)).map((r) => r.cardId)).toEqual(['y']);
      await store.close();
    });

    it('holds a lock exclusively across handles, one key at a time, other keys going on', async () => {
      const store = await target.open();
      const other = target.second ? await target.second(store) : store;
      const events: string[] = [];
      const hold = (s: Store, key: string, tag: string, ms: number) =>
        s.lock(key, async () => {
          events.push(`${tag}+`);
          await sleep(ms);
          events.push(`${tag}-`);
        });
      await Promise.all([hold(store, 'person:1', 'a', 60), sleep(10).then(() => hold(other, 'person:1', 'b', 10)), sleep(10).then(() => hold(other, 'person:2', 'c', 10))]);
      expect(events.indexOf('a-')).toBeLessThan(events.indexOf('b+'));
      expect(events.indexOf('c-')).toBeLessThan(events.indexOf('a-')); // another key did not wait
      // A lock is released when its work fails.
      await expect(store.lock('person:1', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await other.lock('person:1', async () => 'free')).toBe('free');
      if (other !== store) await other.close();
      await store.close();
    });

    it('runs exclusive work on one handle at a time; the other is told at once', async () => {
      const store = await target.open();
      const other = target.second ? await target.second(store) : store;
      let release!: () => void;
      const first = store.exclusive('sweep', () => new Promise<string>((r) => (release = () => r('ran'))));
      await sleep(20);
      expect(await other.exclusive('sweep', async () => 'also ran')).toBeUndefined();
      release();
      expect(await first).toBe('ran');
      expect(await other.exclusive('sweep', async () => 'ran later')).toBe('ran later');
      if (other !== store) await other.close();
      await store.close();
    });

    if (target.reopen) {
      it('keeps what was written, indexes included, across a close and reopen', async () => {
        const store = await target.open();
        const seen = store.collection<{ at: number }>('seen-notifications');
        await seen.put('__proto__', { at: 1 });
        await seen.put('b', { at: 2 });
        await seen.delete('b');
        await store.collection('meta').put('k', { v: 'kept' });
        const again = await target.reopen!(store);
        expect(await again.collection('meta').get('k')).toEqual({ v: 'kept' });
        expect(await again.collection<{ at: number }>('seen-notifications').due('at', 10)).toEqual([{ at: 1 }]);
        await again.close();
      });
    }

    it('rewrites documents of every collection at once, leaving the others and their indexes as they were', async () => {
      const store = await target.open();
      const apps = store.collection<{ accountId: string; ownerId: string; appName: string; sealed: string }>('apps');
      await apps.put('c1', { accountId: 'a', ownerId: 'p', appName: 'One', sealed: 'old' });
      await apps.put('c2', { accountId: 'a', ownerId: 'q', appName: 'Two', sealed: 'keep' });
      await store.collection('meta').put('__proto__', { sealed: 'old' });
      await store.collection<{ at: number }>('seen-notifications').put('e1', { at: 5 });
      const seen: string[] = [];
      const n = await store.rewriteAll!((name, id, doc) => {
        seen.push(`${name}/${id}`);
        return doc.sealed === 'old' ? { ...doc, sealed: 'new' } : undefined;
      });
      expect(n).toBe(2);
      expect(seen.sort()).toEqual(['apps/c1', 'apps/c2', 'meta/__proto__', 'seen-notifications/e1']);
      expect((await apps.find('owner', 'a:p')).map((a) => a.sealed)).toEqual(['new']);
      expect(await apps.get('c2')).toMatchObject({ sealed: 'keep' });
      expect(await store.collection('meta').get('__proto__')).toEqual({ sealed: 'new' });
      expect(await store.collection('seen-notifications').due('at', 10)).toEqual([{ at: 5 }]);
      expect(await store.rewriteAll!(() => undefined)).toBe(0);
      const again = target.reopen ? await target.reopen(store) : store;
      expect(await again.collection('apps').get('c1')).toMatchObject({ sealed: 'new' });
      await again.close();
    });

    it('refuses writes after close', async () => {
      const store = await target.open();
      await store.close();
      await expect(store.collection('things').put('a', { v: 1 })).rejects.toThrow();
    });
  });
}
