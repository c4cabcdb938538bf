import { afterEach, describe, expect, it } from 'vitest';
import type { Flow } from '../../../src/conversation/flow.js';
import { goodBasics, startFlowWorld } from '../../helpers/flow.js';
import { unescaped, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const SMALL = 20_000; // characters: a stored flow or a card that re-renders a refused answer stays about this size

async function storedFlow(w: World): Promise<Flow> {
  const flows = await w.bot.services.store.collection<Flow>('flows').list();
  expect(flows).toHaveLength(1);
  return flows[0]!;
}

describe('a refused answer', () => {
  it('keeps a bounded part of a 500 KB app name, and the next card stays small', async () => {
    const { world: w, flow } = await startFlowWorld();
    world = w;
    await flow.next({ appType: 'rest-api' });
    await flow.next({ ...goodBasics, appName: 'x'.repeat(500_000) });
    expect(unescaped(flow.text())).toMatch(/The app name can be at most 64 characters \(yours has 500000\)/);
    expect(JSON.stringify(flow.flowCard().body).length).toBeLessThan(SMALL);
    const stored = await storedFlow(w);
    expect(stored.step).toBe('basics');
    expect(JSON.stringify(stored).length).toBeLessThan(SMALL);
    expect(stored.entered.basics?.appName).toMatch(/^x{4095}…$/);
  });

  it('quotes at most 200 characters of unknown scopes and partners in its error', async () => {
    const { world: w, flow } = await startFlowWorld();
    world = w;
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' });
    const bogus = Array.from({ length: 5_000 }, (_, i) => `Bogus${i}`).join(',');
    await flow.next({ scopes: `ReadMessages,${bogus}`, justification: '' });
    const error = flow.text().split('\n').find((l) => l.includes("don't exist"))!;
    expect(error.length).toBeLessThan(400);
    expect(error).toContain('…');
    expect(JSON.stringify(await storedFlow(w)).length).toBeLessThan(SMALL);

    await flow.next({ scopes: 'ReadMessages', justification: '' });
    await flow.next({ access: 'public', partners: bogus });
    const partners = flow.text().split('\n').find((l) => l.includes('Unknown partner'))!;
    expect(partners.length).toBeLessThan(400);
    expect(JSON.stringify(await storedFlow(w)).length).toBeLessThan(SMALL);
  });

  it('lists at most a few bad redirect URI lines in its error', async () => {
    const { world: w, flow } = await startFlowWorld();
    world = w;
    await flow.next({ appType: 'rest-api' });
    await flow.next(goodBasics);
    await flow.next({ authMethod: 'oauth', redirectUris: Array.from({ length: 5_000 }, (_, i) => `ftp://bad${i}.example`).join('\n'), refreshTokens: 'false' });
    const text = unescaped(flow.text());
    expect(text).toMatch(/Line 1: /);
    expect(text).toMatch(/4,997 more lines/);
    expect(JSON.stringify(await storedFlow(w)).length).toBeLessThan(SMALL);
    expect(JSON.stringify(flow.flowCard().body).length).toBeLessThan(SMALL);
  });
});
