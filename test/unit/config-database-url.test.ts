import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const production = {
  RINGCENTRAL_CLIENT_ID: 'client-id',
  RINGCENTRAL_CLIENT_SECRET: 'client-secret',
  RINGCENTRAL_SHARED_SECRET: 'shared-secret-value',
  BOT_PUBLIC_URL: 'https://bot.example.com/',
};
const shared = { REGISTRAR_SECRET_KEY: 'ab'.repeat(32), RINGCENTRAL_VERIFICATION_TOKEN: 'a-token-of-twenty-chars' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('DATABASE_URL', () => {
  it('chooses PostgreSQL when set, and lowdb files when not', () => {
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: '  ' }).databaseUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'postgres://registrar:pw@db.internal:5432/registrar' }).databaseUrl).toBe('postgres://registrar:pw@db.internal:5432/registrar');
    expect(loadConfig({ ...production, ...shared, DATABASE_URL: 'postgresql://db.internal/registrar?sslmode=require' }).databaseUrl).toBe('postgresql://db.internal/registrar?sslmode=require');
  });

  it('must be a postgres URL, and a bad one is named without its password', () => {
    for (const url of ['mysql://u:hunter22@db/x', 'postgres:hunter22', 'hunter22', 'postgres://u:hunter22@[bad/x']) {
      const problems = problemsOf({ DATABASE_URL: url });
      expect(problems).toEqual(['DATABASE_URL: must be a postgres:// or postgresql:// URL']);
      expect(problems.join()).not.toContain('hunter22');
    }
  });

  it('needs the shared key and webhook token outside the sandbox, since every instance must use the same', () => {
    const problems = problemsOf({ ...production, DATABASE_URL: 'postgres://db.internal/registrar' });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^REGISTRAR_SECRET_KEY: required when DATABASE_URL is set: every instance/);
    expect(problems[1]).toMatch(/^RINGCENTRAL_VERIFICATION_TOKEN: required when DATABASE_URL is set: every instance/);
    expect(problemsOf({ ...production, DATABASE_URL: 'postgres://db.internal/registrar', REGISTRAR_SECRET_KEY: shared.REGISTRAR_SECRET_KEY })).toEqual([problems[1]]);
    expect(loadConfig({ ...production, ...shared, DATABASE_URL: 'postgres://db.internal/registrar' }).sandbox).toBe(false);
    // The sandbox is one process: its keys in DATA_DIR are enough.
    expect(loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/test' }).sandbox).toBe(true);
  });
});
