import { describe, expect, it } from 'vitest';
import { fieldSchemas, FIELD_NAMES, PARTNERS } from '../../../src/registry/fields.js';
import { loadScopeCatalog } from '../../../src/registry/scope-catalog.js';

const catalog = loadScopeCatalog();
const fields = fieldSchemas({ allowNotificationAddins: false, catalog });
const withAddins = fieldSchemas({ allowNotificationAddins: true, catalog });

const errorOf = (result: { success: boolean; error?: { issues: Array<{ message: string }> } }) => result.error?.issues[0]?.message;

describe('fieldSchemas', () => {
  it('has a schema for every field id', () => {
    expect(Object.keys(fields).sort()).toEqual([...FIELD_NAMES].sort());
  });

  it('accepts the three app types only when notification add-ins are allowed', () => {
    expect(fields.appType.parse('rest-api')).toBe('rest-api');
    expect(fields.appType.parse('bot')).toBe('bot');
    expect(withAddins.appType.parse('notification')).toBe('notification');
    expect(errorOf(fields.appType.safeParse('notification'))).toMatch(/deprecated and not available/);
    expect(errorOf(fields.appType.safeParse('webhook'))).toBe('Choose an app type: REST API app or bot.');
  });

  it('trims app and display names and limits them to 64 characters', () => {
    expect(fields.appName.parse('  Foo App (staging) ')).toBe('Foo App (staging)');
    expect(fields.displayName.parse('x'.repeat(64))).toHaveLength(64);
    expect(errorOf(fields.appName.safeParse('x'.repeat(65)))).toBe('The app name can be at most 64 characters (yours has 65).');
    expect(errorOf(fields.displayName.safeParse('   '))).toBe('Please enter the display name.');
  });

  it('keeps a zero-width non-joiner inside a Persian word, and refuses one hidden in a Latin name', () => {
    expect(fields.displayName.parse('مزامنة\u200cالنفقات')).toBe('مزامنة\u200cالنفقات');
    expect(fields.appName.parse('क्\u200dष')).toBe('क्\u200dष');
    expect(errorOf(fields.appName.safeParse('Expense\u200cSync'))).toMatch(/invisible character/);
    expect(errorOf(fields.appName.safeParse('\u200cمزامنة'))).toMatch(/invisible character/);
    expect(errorOf(fields.appName.safeParse('Expense\u200bSync'))).toMatch(/invisible character/);
  });

  it('requires the icon URL to be a public https link to an image file', () => {
    expect(fields.iconUrl.parse('https://cdn.example.com/icons/app.PNG?v=2')).toBe('https://cdn.example.com/icons/app.PNG?v=2');
    expect(fields.iconUrl.parse('https://cdn.example.com/a.webp')).toBe('https://cdn.example.com/a.webp');
    expect(errorOf(fields.iconUrl.safeParse('https://cdn.example.com/icon'))).toMatch(/image file ending in \.png, \.jpg/);
    expect(errorOf(fields.iconUrl.safeParse('https://cdn.example.com/img?name=icon.png'))).toMatch(/image file/);
    expect(errorOf(fields.iconUrl.safeParse('http://cdn.example.com/a.png'))).toMatch(/Use https/);
    expect(errorOf(fields.iconUrl.safeParse('https://10.0.0.1/a.png'))).toMatch(/private network/);
  });

  it('accepts a reasonable email address and lowercases only its domain', () => {
    expect(fields.primaryContact.parse(' Jane.Doe+rc@Example.COM ')).toBe('Jane.Doe+rc@example.com');
    for (const bad of ['jane', 'jane@', '@example.com', 'jane@example', 'jane..doe@example.com', 'jane@-example.com', 'a b@example.com']) {
      expect(errorOf(fields.primaryContact.safeParse(bad))).toBe('Enter an email address like name@example.com.');
    }
    expect(errorOf(fields.primaryContact.safeParse(`${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.com`))).toMatch(
      /at most 254 characters/,
    );
    expect(errorOf(fields.primaryContact.safeParse(`${'a'.repeat(65)}@example.com`))).toMatch(/like name@example.com/);
  });

  it('reads toggles from "true"/"false" strings and from booleans', () => {
    expect(fields.promote.parse('true')).toBe(true);
    expect(fields.refreshTokens.parse('false')).toBe(false);
    expect(fields.interactiveMessages.parse(true)).toBe(true);
    expect(errorOf(fields.promote.safeParse('yes please'))).toBe('Choose on or off.');
  });

  it('accepts oauth or jwt as the auth method and private or public as access', () => {
    expect(fields.authMethod.parse('jwt')).toBe('jwt');
    expect(errorOf(fields.authMethod.safeParse('password'))).toBe('Choose OAuth (3-legged) or JWT.');
    expect(fields.access.parse('public')).toBe('public');
    expect(errorOf(fields.access.safeParse('secret'))).toBe('Choose private or public.');
  });
});

describe('the redirectUris field', () => {
  it('splits lines on \\n and \\r\\n, ignores blank lines and keeps each URI as typed', () => {
    expect(fields.redirectUris.parse('https://a.example.com/cb\r\n\r\n  http://localhost:8080/cb  \nhttp://127.0.0.1/cb\n')).toEqual([
      'https://a.example.com/cb',
      'http://localhost:8080/cb',
      'http://127.0.0.1/cb',
    ]);
  });

  it('accepts a stored list of URIs', () => {
    expect(fields.redirectUris.parse(['https://a.example.com/cb'])).toEqual(['https://a.example.com/cb']);
  });

  it('names the offending line, counting blank lines as typed', () => {
    expect(errorOf(fields.redirectUris.safeParse('https://a.example.com/cb\n\nhttp://x'))).toBe(
      'Line 3: Use https:// (http is only allowed for localhost).',
    );
  });

  it('reports every bad line at once', () => {
    const message = errorOf(fields.redirectUris.safeParse('https://*.example.com/cb\nhttps://a.example.com/#x'));
    expect(message).toMatch(/^Line 1: Wildcards.* Line 2: Remove the #/);
  });

  it('rejects duplicate lines', () => {
    expect(errorOf(fields.redirectUris.safeParse('https://a.example.com/cb\nhttps://b.example.com/cb\n https://a.example.com/cb'))).toBe(
      'Line 3: this is the same as line 1; remove one of them.',
    );
  });

  it('rejects more than 10 URIs and accepts exactly 10', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `https://app.example.com/cb${i}`).join('\n');
    expect(fields.redirectUris.parse(lines(10))).toHaveLength(10);
    expect(errorOf(fields.redirectUris.safeParse(lines(11)))).toBe('You entered 11 redirect URIs; the limit is 10.');
  });

  it('rejects a URI longer than 256 characters', () => {
    expect(errorOf(fields.redirectUris.safeParse(`https://app.example.com/${'a'.repeat(233)}`))).toBe(
      'Line 1: This URL is 257 characters long; the limit is 256.',
    );
  });

  it('asks for at least one URI when only blank lines were entered', () => {
    expect(errorOf(fields.redirectUris.safeParse('\n \n'))).toBe('Add at least one redirect URI, one per line.');
  });
});

describe('the scopes and justification fields', () => {
  it('reads a comma-separated multi-select and drops repeats', () => {
    expect(fields.scopes.parse('SMS, ReadMessages,SMS')).toEqual(['SMS', 'ReadMessages']);
    expect(fields.scopes.parse(['TeamMessaging'])).toEqual(['TeamMessaging']);
  });

  it('lists unknown scope names', () => {
    expect(errorOf(fields.scopes.safeParse('SMS,Telepathy,Teleport'))).toBe(
      "These scopes don't exist: Telepathy, Teleport. Choose scopes from the list.",
    );
  });

  it('refuses an empty selection', () => {
    expect(errorOf(fields.scopes.safeParse(' , '))).toBe('Choose at least one scope.');
  });

  it('needs a justification of 30 to 2000 characters', () => {
    expect(fields.justification.parse(`  ${'x'.repeat(30)}  `)).toHaveLength(30);
    expect(errorOf(fields.justification.safeParse('too short'))).toMatch(/at least 30 characters .*\(you wrote 9\)/);
    expect(errorOf(fields.justification.safeParse('x'.repeat(2001)))).toMatch(/at most 2000 characters/);
  });
});

describe('the partners field', () => {
  it('accepts "all" or a list of known partner ids', () => {
    expect(fields.partners.parse('all')).toBe('all');
    expect(fields.partners.parse('bt,telus')).toEqual(['bt', 'telus']);
    expect(fields.partners.parse(['att'])).toEqual(['att']);
  });

  it('refuses "all" mixed with specific partners', () => {
    expect(errorOf(fields.partners.safeParse('all,bt'))).toMatch(/either all current and future partners, or specific partners/);
  });

  it('names unknown partners', () => {
    expect(errorOf(fields.partners.safeParse('bt,acme'))).toBe('Unknown partner: acme. Choose partners from the list.');
  });

  it('exports the partner list with display names', () => {
    expect(PARTNERS.find((p) => p.id === 'att')?.name).toBe('AT&T Office@Hand');
    expect(PARTNERS).toHaveLength(8);
  });
});

describe('the feature fields', () => {
  it('checks outbound webhook and web install URLs with the public-host rules', () => {
    expect(fields.outboundWebhookUrl.parse('https://hooks.example.com/rc')).toBe('https://hooks.example.com/rc');
    expect(errorOf(fields.outboundWebhookUrl.safeParse('https://169.254.169.254/latest'))).toMatch(/link-local/);
    expect(errorOf(withAddins.webInstallUrl.safeParse('https://localhost/install'))).toMatch(/loopback/);
  });

  it('limits manual instructions to 2000 characters', () => {
    expect(withAddins.manualInstructions.parse(' Paste the webhook URL into Settings. ')).toBe('Paste the webhook URL into Settings.');
    expect(errorOf(withAddins.manualInstructions.safeParse('x'.repeat(2001)))).toMatch(/at most 2000 characters/);
  });
});
