import { describe, expect, it } from 'vitest';
import { createKeyedLock } from '../../src/lib/keyed-lock.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('createKeyedLock', () => {
  it('runs work for one key in order, one at a time, even when some fail', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const job = (name: string, fail = false) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([lock.run('k', job('a')), lock.run('k', job('b', true)), lock.run('k', job('c'))]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(lock.busy('k')).toBe(false);
  });

  it('lets different keys run side by side and reports busy keys', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const a = lock.run('a', async () => { log.push('a'); await tick(); log.push('a done'); });
    const b = lock.run('b', async () => { log.push('b'); await tick(); log.push('b done'); });
    expect(lock.busy('a')).toBe(true);
    await Promise.all([a, b]);
    expect(log.slice(0, 2).sort()).toEqual(['a', 'b']);
  });
});
