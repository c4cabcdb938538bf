import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLowdbStore } from '../../src/store/lowdb-store.js';

/** registrar.json as the whole-file store wrote it: pretty-printed, every collection in it. */
const before = {
  installations: { acc1: { accountId: 'acc1', botId: 'bot1' } },
  apps: { c1: { accountId: 'acc1', ownerId: 'p1', appName: 'Expense Sync', clientId: 'c1' }, ['__proto__']: { accountId: 'acc1', ownerId: 'p2', appName: 'Odd', clientId: '__proto__' } },
  'seen-notifications': { 'event-1': { at: 100 }, 'event-2': { at: 200 } },
  'seen-submits': { 'submit-1': { at: 150 } },
};

describe('a DATA_DIR from the whole-file store', () => {
  it('opens with every document, moves handled event ids to their own files, and keeps them after a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registrar-upgrade-'));
    writeFileSync(join(dir, 'registrar.json'), JSON.stringify(before, null, 2));
    const store = await createLowdbStore(dir);
    expect(await store.collection('installations').get('acc1')).toEqual(before.installations.acc1);
    expect(await store.collection('apps').get('__proto__')).toMatchObject({ appName: 'Odd' });
    expect((await store.collection('apps').find('owner', 'acc1:p1')).length).toBe(1);
    expect((await store.collection<{ at: number }>('seen-notifications').due('at', 1000)).map((s) => s.at)).toEqual([100, 200]);
    expect(await store.collection('seen-submits').get('submit-1')).toEqual({ at: 150 });
    const registrar = JSON.parse(readFileSync(join(dir, 'registrar.json'), 'utf8')) as Record<string, unknown>;
    const events = JSON.parse(readFileSync(join(dir, 'handled-events.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(registrar).sort()).toEqual(['apps', 'installations']);
    expect(events).toEqual({ 'seen-notifications': before['seen-notifications'], 'seen-submits': before['seen-submits'] });
    await store.collection<{ at: number }>('seen-notifications').put('event-3', { at: 300 });
    await store.close();
    const again = await createLowdbStore(dir);
    expect(await again.collection('seen-notifications').count()).toBe(3);
    expect(await again.collection('apps').count()).toBe(2);
    await again.close();
  });

  it('takes the handled-events files over a stray copy a crash left in registrar.json during the move', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registrar-upgrade-'));
    writeFileSync(join(dir, 'registrar.json'), JSON.stringify(before));
    // The move wrote handled-events.json, then the process died before registrar.json was rewritten;
    // since then event-1 was pruned from the handled-events files.
    writeFileSync(join(dir, 'handled-events.json'), JSON.stringify({ 'seen-notifications': { 'event-2': { at: 200 } } }));
    const store = await createLowdbStore(dir);
    expect((await store.collection<{ at: number }>('seen-notifications').list()).map((s) => s.at)).toEqual([200]);
    expect(await store.collection('seen-submits').count()).toBe(0);
    expect(await store.collection('apps').count()).toBe(2);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'registrar.json'), 'utf8')) as object).sort()).toEqual(['apps', 'installations']);
    await store.close();
  });
});
