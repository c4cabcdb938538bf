import { describe, expect, it } from 'vitest';
import { fieldSchemas } from '../../../src/registry/fields.js';
import { loadScopeCatalog } from '../../../src/registry/scope-catalog.js';
import { validateUrl } from '../../../src/registry/validate-url.js';

const schemas = fieldSchemas({ allowNotificationAddins: false, catalog: loadScopeCatalog() });

describe('names that show as nothing (issue 4: invisible characters refused)', () => {
  it('refuses an app name made of Braille blanks (U+2800), which shows as an empty name', () => {
    expect(schemas.appName.safeParse('\u2800\u2800\u2800').success).toBe(false);
  });
});

describe('URLs checked after normalisation (issue 4: what is stored is what is checked)', () => {
  it('does not store a URL whose host the platform reads differently: an ideographic full stop is a dot to IDNA', () => {
    // NFKC keeps U+3002 (and turns U+FF61 into it); the WHATWG parser maps it to ".": the host checked
    // is example.com.evil.net, but the stored text reads "example.com。evil.net".
    const check = validateUrl('https://example.com\uFF61evil.net/hook', { requirePublicHost: true, maxLength: 2048 });
    // Either refused, or stored with the host spelled as it will be reached.
    expect(check.ok ? check.url.includes(new URL(check.url).hostname) : true).toBe(true);
  });
});
