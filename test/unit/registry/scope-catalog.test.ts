import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createScopeCatalog, loadScopeCatalog } from '../../../src/registry/scope-catalog.js';

const catalog = loadScopeCatalog();

describe('the bundled scope catalog', () => {
  it('holds the common RingCentral scopes with short descriptions', () => {
    for (const name of ['ReadAccounts', 'EditAccounts', 'ReadMessages', 'EditMessages', 'SMS', 'A2PSMS', 'Faxes', 'ReadCallLog', 'ReadCallRecording', 'CallControl', 'RingOut', 'DirectRingOut', 'ReadPresence', 'EditPresence', 'ReadContacts', 'Contacts', 'TeamMessaging', 'SubscriptionWebhook', 'Meetings', 'Video', 'EditExtensions', 'EditReportingSettings', 'RoleManagement', 'Accounts', 'Analytics', 'AI']) {
      expect(catalog.get(name), name).toBeDefined();
    }
    expect(catalog.all().every((s) => s.description.length <= 80)).toBe(true);
  });

  it('marks sensitive and on-request scopes as needing approval', () => {
    expect(catalog.get('A2PSMS')).toMatchObject({ requiresApproval: true, reason: 'sensitive' });
    expect(catalog.get('DirectRingOut')).toMatchObject({ requiresApproval: true, reason: 'on-request' });
    expect(catalog.all().filter((s) => s.reason === 'on-request').length).toBeGreaterThanOrEqual(4);
    expect(catalog.get('SMS')?.requiresApproval).toBe(false);
  });

  it('lists which chosen scopes need approval, ignoring unknown names', () => {
    expect(catalog.requiresApproval(['SMS', 'A2PSMS', 'Nope', 'RoleManagement'])).toEqual(['A2PSMS', 'RoleManagement']);
  });

  it('splits chosen scopes into granted and waiting for approval', () => {
    expect(catalog.split(['SMS', 'A2PSMS', 'TeamMessaging', 'SMS'])).toEqual({ granted: ['SMS', 'TeamMessaging'], needsApproval: ['A2PSMS'] });
  });

  it('reports chosen scopes that another chosen scope already includes', () => {
    expect(catalog.overlaps(['ReadMessages', 'EditMessages', 'TeamMessaging'])).toEqual([{ scope: 'ReadMessages', includedIn: 'EditMessages' }]);
    expect(catalog.overlaps(['SMS', 'TeamMessaging'])).toEqual([]);
  });

  it('follows includes through chains and names the widest chosen scope', () => {
    expect(catalog.overlaps(['ReadAccounts', 'EditAccounts', 'Accounts'])).toEqual([
      { scope: 'ReadAccounts', includedIn: 'Accounts' },
      { scope: 'EditAccounts', includedIn: 'Accounts' },
    ]);
  });
});

describe('loadScopeCatalog', () => {
  const write = (content: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'registrar-scopes-')), 'scopes.json');
    writeFileSync(path, content);
    return path;
  };

  it('reads an operator file from the given path', () => {
    const path = write(JSON.stringify([{ name: 'Custom', description: 'Something special', requiresApproval: true, reason: 'on-request' }]));
    expect(loadScopeCatalog(path).all().map((s) => s.name)).toEqual(['Custom']);
  });

  it('names the file when it is missing or not JSON', () => {
    expect(() => loadScopeCatalog('/nonexistent/scopes.json')).toThrow(/Scope catalog \/nonexistent\/scopes.json: cannot be read \(ENOENT\)/);
    const path = write('[{ nope');
    expect(() => loadScopeCatalog(path)).toThrow(expect.objectContaining({ code: 'SCOPE_CATALOG_INVALID', message: expect.stringContaining('is not valid JSON') }));
  });

  it('names the entry and the problem in a malformed entry', () => {
    expect(() => createScopeCatalog([{ name: 'A', description: 'ok', requiresApproval: false }, { name: 'B', description: 'x'.repeat(81), requiresApproval: false }], 'test.json')).toThrow(
      'Scope catalog test.json: entry 2 (B): description is longer than 80 characters',
    );
    expect(() => createScopeCatalog([{ name: 'A', description: 'ok' }])).toThrow(/entry 1 \(A\): requiresApproval must be true or false/);
  });

  it('refuses duplicate names, unknown includes and include loops', () => {
    const s = (name: string, includes?: string[]) => ({ name, description: name, requiresApproval: false, ...(includes ? { includes } : {}) });
    expect(() => createScopeCatalog([s('A'), s('A')])).toThrow('scope A is listed twice');
    expect(() => createScopeCatalog([s('A', ['Ghost'])])).toThrow('scope A includes unknown scope Ghost');
    expect(() => createScopeCatalog([s('A', ['B']), s('B', ['A'])])).toThrow(/include each other in a loop: A → B → A/);
  });

  it('refuses an empty catalog and a reason on a scope that needs no approval', () => {
    expect(() => createScopeCatalog([])).toThrow(/the catalog is empty/);
    expect(() => createScopeCatalog([{ name: 'A', description: 'a', requiresApproval: false, reason: 'sensitive' }])).toThrow(/has a reason but does not require approval/);
  });
});
