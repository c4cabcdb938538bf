import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('CREATORS, MAX_APPS_PER_PERSON and MAX_OPEN_REQUESTS', () => {
  it('default to everyone, 25 apps and 5 open requests', () => {
    expect(loadConfig({})).toMatchObject({ creators: { kind: 'everyone' }, maxAppsPerPerson: 25, maxOpenRequests: 5 });
    // Set but empty (as the README says): everyone too.
    expect(loadConfig({ CREATORS: '' }).creators).toEqual({ kind: 'everyone' });
    expect(loadConfig({ CREATORS: '  ' }).creators).toEqual({ kind: 'everyone' });
  });

  it('read *, a list of person ids and chat:<id>', () => {
    expect(loadConfig({ CREATORS: ' * ' }).creators).toEqual({ kind: 'everyone' });
    expect(loadConfig({ CREATORS: '111, 222,,111' }).creators).toEqual({ kind: 'list', ids: ['111', '222'] });
    expect(loadConfig({ CREATORS: 'chat:98765' }).creators).toEqual({ kind: 'chat', chatId: '98765' });
  });

  it('name the variable when a value is malformed', () => {
    expect(problemsOf({ CREATORS: 'alice@acme.example' })).toEqual(['CREATORS: must be *, comma-separated person ids, or chat:<chat id>']);
    expect(problemsOf({ CREATORS: 'chat:' }).join()).toMatch(/^CREATORS:/);
    expect(problemsOf({ MAX_APPS_PER_PERSON: '0' })).toEqual(['MAX_APPS_PER_PERSON: must be at least 1']);
    expect(problemsOf({ MAX_OPEN_REQUESTS: '2.5' })).toEqual(['MAX_OPEN_REQUESTS: must be a whole number']);
  });
});
