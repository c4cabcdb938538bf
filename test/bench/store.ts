import type { Store } from '../../src/store/store.js';
import { flowDriver, goodBasics } from '../helpers/flow.js';
import { startWorld } from '../helpers/world.js';

/**
 * Store cost as the registry grows: one store write, and the bot's own time for a form click,
 * at `sizes` registered apps with 1,000 open forms beside them, and the process's memory.
 * `open(seed)` gives a store; `seed` true means a fresh one to fill, false the same data again.
 */
export interface StoreTarget {
  label: string;
  open(fresh: boolean): Promise<Store>;
}

const ms = (n: number) => `${n.toFixed(2)} ms`;
const pct = (samples: number[], p: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

function app(i: number, accountId: string) {
  const at = new Date(1_700_000_000_000 + i).toISOString();
  return {
    appType: 'rest-api', appName: `Seeded App ${i}`, displayName: `Seeded App ${i}`, primaryContact: `owner${i % 500}@example.com`, promote: false,
    authMethod: 'oauth', redirectUris: [`https://app${i}.example.com/oauth/callback`], refreshTokens: true, scopes: ['ReadMessages', 'ReadAccounts', 'SMS'],
    justification: '', access: 'private', interactiveMessages: false,
    clientId: `seed${String(i).padStart(18, '0')}`, accountId, ownerId: `seed-owner-${i % 500}`, status: 'active',
    grantedScopes: ['ReadMessages', 'ReadAccounts', 'SMS'], pendingScopes: [], clientSecretHash: 'f'.repeat(64), sharedSecretSealed: null, createdAt: at, updatedAt: at,
  };
}

function flow(i: number, accountId: string, now: number) {
  return {
    id: `seed-flow-${i}`, accountId, ownerId: `seed-owner-${i}`, chatId: `seed-chat-${i}`, cardId: `seed-card-${i}`, step: 'scopes', version: 4,
    draft: { appType: 'rest-api', appName: `Draft ${i}`, displayName: `Draft ${i}`, primaryContact: 'someone@example.com', promote: false, authMethod: 'jwt' },
    entered: {}, errors: {}, notice: '', returnToReview: false, status: 'active', clientId: null, createdAt: now, updatedAt: now, cardVersion: 4,
  };
}

async function seed(store: Store, apps: number, flows: number, accountId: string) {
  const a = store.collection('apps');
  const f = store.collection('flows');
  const now = Date.now();
  const batch = async (n: number, put: (i: number) => Promise<void>) => {
    for (let i = 0; i < n; i += 500) await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, j) => put(i + j)));
  };
  await batch(apps, (i) => a.put(app(i, accountId).clientId, app(i, accountId)));
  await batch(flows, (i) => f.put(`seed-flow-${i}`, flow(i, accountId, now)));
}

export async function storeBench(target: StoreTarget, sizes = [100, 10_000], openFlows = 1000) {
  const lines: string[] = [];
  for (const size of sizes) {
    // The world's account id is known only once it runs; seeded records use the same one.
    const accountId = '1000001';
    const seeding = await target.open(true);
    const t0 = performance.now();
    await seed(seeding, size, openFlows, accountId);
    const seedMs = performance.now() - t0;
    const apps = seeding.collection<{ updatedAt: string }>('apps');
    const writes: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const id = `seed${String(Math.floor(Math.random() * size)).padStart(18, '0')}`;
      const t = performance.now();
      await apps.update(id, (cur) => cur && { ...cur, updatedAt: new Date(i).toISOString() });
      writes.push(performance.now() - t);
    }
    await seeding.close();

    const clicks: number[] = [];
    const world = await startWorld({ env: { LOG_LEVEL: 'warn' }, store: () => target.open(false), observe: (_m, t) => clicks.push(t) });
    const dm = await world.dm(world.alice);
    const driver = flowDriver(world, world.alice, dm.id);
    await driver.start();
    clicks.length = 0;
    for (let i = 0; i < 100; i++) {
      await driver.next(i % 2 === 0 ? { appType: 'bot' } : { ...goodBasics, appName: `Bench ${i}` });
      await driver.click('back');
    }
    const rss = process.memoryUsage().rss;
    await world.close();
    lines.push(
      `${target.label.padEnd(10)} ${String(size).padStart(6)} apps + ${openFlows} open forms: one store write p50 ${ms(pct(writes, 50))} p99 ${ms(pct(writes, 99))}; ` +
        `a click's bot-side work p50 ${ms(pct(clicks, 50))} p99 ${ms(pct(clicks, 99))} (n=${clicks.length}); rss ${(rss / 1024 / 1024).toFixed(0)} MB; seeding took ${(seedMs / 1000).toFixed(1)} s`,
    );
  }
  return lines;
}
