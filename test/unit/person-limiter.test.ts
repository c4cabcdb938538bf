import { describe, expect, it } from 'vitest';
import { createPersonLimiter } from '../../src/bot/person-limiter.js';

describe('createPersonLimiter', () => {
  it('lets `limit` actions through per window, tells once, then ignores until a window has passed', () => {
    let now = 1_000_000;
    const limiter = createPersonLimiter({ limit: 3, windowMs: 60_000, now: () => now });
    expect([1, 2, 3].map(() => limiter.check('a:1'))).toEqual(['ok', 'ok', 'ok']);
    expect(limiter.check('a:1')).toBe('tell');
    now += 30_000;
    expect(limiter.check('a:1')).toBe('ignore');
    now += 30_001;
    expect(limiter.check('a:1')).toBe('ok');
  });

  it('keeps a sliding window: actions spread out are never held back', () => {
    let now = 0;
    const limiter = createPersonLimiter({ limit: 2, windowMs: 1000, now: () => now });
    for (let i = 0; i < 20; i++) {
      expect(limiter.check('p')).toBe('ok');
      now += 600;
    }
  });

  it('counts each person apart, with inherited names as ordinary keys', () => {
    const limiter = createPersonLimiter({ limit: 1, windowMs: 1000, now: () => 5 });
    expect(limiter.check('__proto__')).toBe('ok');
    expect(limiter.check('constructor')).toBe('ok');
    expect(limiter.check('__proto__')).toBe('tell');
    expect(limiter.check('toString')).toBe('ok');
  });

  it('stays bounded: past maxPeople the idlest are forgotten', () => {
    let now = 0;
    const limiter = createPersonLimiter({ limit: 5, windowMs: 100, now: () => now, maxPeople: 50 });
    for (let i = 0; i < 1000; i++) {
      now += 1;
      limiter.check(`p${i}`);
    }
    expect(limiter.size).toBeLessThanOrEqual(50);
  });
});
