import { systemClock } from '../../../src/lib/clock.js';
import { newClientId } from '../../../src/registry/credentials.js';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../src/store/engine-store.js';
import { keysFrom } from '../../../src/lib/crypto-keys.js';
import { createAppRegistry } from '../../../src/registry/app-records.js';
import { fieldSchemas, type AppDraft } from '../../../src/registry/fields.js';
import { nameKey } from '../../../src/registry/name-key.js';
import { loadScopeCatalog } from '../../../src/registry/scope-catalog.js';
import { validateStep, type StepContext } from '../../../src/registry/steps.js';

const catalog = loadScopeCatalog();
const fields = fieldSchemas({ allowNotificationAddins: false, catalog });
const errorOf = (result: { success: boolean; error?: { issues: Array<{ message: string }> } }) => result.error?.issues[0]?.message;

describe('nameKey', () => {
  it('gives look-alikes the same key: case, spacing, fullwidth letters, Cyrillic and Greek letters', () => {
    const key = nameKey('Expense Sync');
    expect(nameKey('  expense   SYNC ')).toBe(key);
    expect(nameKey('Ｅｘｐｅｎｓｅ Ｓｙｎｃ')).toBe(key);
    expect(nameKey('\u0415\u0445\u0440ense Sync')).toBe(key); // Cyrillic Е, х, р
    expect(nameKey('Expens\u0435 Sync')).toBe(key); // Cyrillic е
    expect(nameKey('\u0395xpense Sync')).toBe(key); // Greek Ε
    expect(nameKey('Expense\u200B Sync')).toBe(key);
  });

  it('keeps names that only share letters apart', () => {
    expect(nameKey('Expense Sync')).not.toBe(nameKey('Expenses Sync'));
    expect(nameKey('Café')).not.toBe(nameKey('Cafe'));
    expect(nameKey('App 1')).not.toBe(nameKey('App l'));
    expect(nameKey('Straße')).toBe(nameKey('STRASSE'));
  });
});

describe('app and display names', () => {
  it.each([
    ['a zero-width space', 'Expense\u200BSync'],
    ['a right-to-left override', 'Expense\u202ESync'],
    ['a bidi isolate', '\u2067Expense Sync'],
    ['a variation selector', 'Expense Sync\uFE0F'],
    ['a line separator', 'Expense\u2028Sync'],
    ['a tab', 'Expense\tSync'],
    ['a soft hyphen', 'Ex\u00ADpense'],
    ['a Hangul filler', 'Expense\u3164Sync'],
    ['a private-use character', 'Expense \uE000'],
  ])('refuses a name with %s, saying why', (_, name) => {
    expect(errorOf(fields.appName.safeParse(name))).toMatch(/contains an invisible character/);
    expect(errorOf(fields.displayName.safeParse(name))).toMatch(/display name contains an invisible character/);
  });

  it('stores the NFKC form and counts its length', () => {
    expect(fields.appName.parse('Ｅｘｐｅｎｓｅ Sync')).toBe('Expense Sync');
    expect(fields.displayName.parse('ﬁnance\u00A0bot')).toBe('finance bot');
    expect(fields.appName.parse('Ünïcödé names are fine')).toBe('Ünïcödé names are fine');
    expect(errorOf(fields.appName.safeParse('\uFDFA'.repeat(4)))).toMatch(/at most 64 characters \(yours has 72\)/);
  });
});

describe('the name-taken check', () => {
  const ctx: StepContext = { draft: { appType: 'rest-api' }, existingAppNames: ['Expense Sync'], allowNotificationAddins: false, catalog };
  const basics = (appName: string) => validateStep('basics', { appName, displayName: 'X', primaryContact: 'a@example.com' }, ctx);

  it('refuses a look-alike of one of the requester\u2019s names, naming it', () => {
    const result = basics('\u0415\u0445\u0440ense Sync');
    expect(!result.ok && result.errors.appName).toBe('"\u0415\u0445\u0440ense Sync" looks the same as your app "Expense Sync". Please choose a clearly different name.');
    expect(basics('Ｅｘｐｅｎｓｅ  sync').ok).toBe(false);
    expect(basics('Expense Sync 2').ok).toBe(true);
  });

  it('is enforced by the registry too, when two registrations race', async () => {
    const registry = createAppRegistry({ store: createMemoryStore(), keys: keysFrom(Buffer.alloc(32, 7)), catalog, clock: systemClock });
    const draft: AppDraft = { appType: 'rest-api', appName: 'Expense Sync', displayName: 'X', primaryContact: 'a@example.com', promote: false, authMethod: 'jwt', scopes: ['ReadMessages'] };
    await registry.create({ draft, accountId: '1', ownerId: '2', now: 0, clientId: newClientId() });
    await expect(registry.create({ draft: { ...draft, appName: 'Expens\u0435 SYNC' }, accountId: '1', ownerId: '2', now: 0, clientId: newClientId() })).rejects.toMatchObject({ code: 'APP_NAME_TAKEN' });
    await expect(registry.create({ draft: { ...draft, appName: 'Expens\u0435 SYNC' }, accountId: '1', ownerId: '3', now: 0, clientId: newClientId() })).resolves.toBeDefined();
  });
});
