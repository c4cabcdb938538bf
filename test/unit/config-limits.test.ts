import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as ConfigError).problems;
  }
  return [];
};

describe('the per-person limit and the outbox settings', () => {
  it('default to 30 actions a minute, 6 attempts and a first retry after 5 s', () => {
    const c = loadConfig({});
    expect(c.personRate).toEqual({ limit: 30, windowSeconds: 60 });
    expect(c.outbox).toEqual({ attempts: 6, retrySeconds: 5 });
  });

  it('take the values given', () => {
    const c = loadConfig({ PERSON_RATE_LIMIT: '5', PERSON_RATE_WINDOW_SECONDS: '10', OUTBOX_ATTEMPTS: '2', OUTBOX_RETRY_SECONDS: '0.5' });
    expect(c.personRate).toEqual({ limit: 5, windowSeconds: 10 });
    expect(c.outbox).toEqual({ attempts: 2, retrySeconds: 0.5 });
  });

  it('name each value out of range', () => {
    const problems = problemsOf({ PERSON_RATE_LIMIT: '0', PERSON_RATE_WINDOW_SECONDS: '-1', OUTBOX_ATTEMPTS: '1.5', OUTBOX_RETRY_SECONDS: 'soon' });
    for (const name of ['PERSON_RATE_LIMIT', 'PERSON_RATE_WINDOW_SECONDS', 'OUTBOX_ATTEMPTS', 'OUTBOX_RETRY_SECONDS']) expect(problems.some((p) => p.startsWith(name))).toBe(true);
  });
});
