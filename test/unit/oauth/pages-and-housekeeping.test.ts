import { describe, expect, it } from 'vitest';
import { pruneOld } from '../../../src/bot/housekeeping.js';
import { createLogger } from '../../../src/lib/logger.js';
import { consentPage, whoAreYouPage } from '../../../src/oauth/pages.js';
import { createMemoryStore } from '../../../src/store/engine-store.js';

describe('the sign-in pages', () => {
  it('show what an app owner typed as text, and only an http(s) icon', () => {
    const app = { displayName: '<script>alert(1)</script>"', iconUrl: 'javascript:alert(1)' };
    const html = consentPage(app, [{ name: 'Read<b>', description: '"quoted" & <i>' }], { allow: '/oauth/interaction/a"b/allow', deny: '/d' });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<i>');
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;script&#62;');
    expect(html).toContain('action="&#47;oauth&#47;interaction&#47;a&#34;b&#47;allow"');
    expect(whoAreYouPage({ displayName: 'A', iconUrl: 'https://cdn.example.com/i.png' }, '/x')).toContain('<img src="https:&#47;&#47;cdn.example.com&#47;i.png"');
  });
});

describe('housekeeping of the authorization server', () => {
  it('prunes expired codes, tokens and sign-in links, and keeps live ones', async () => {
    const store = createMemoryStore();
    const now = Date.now();
    const oauth = store.collection<Record<string, unknown>>('oauth');
    await oauth.put('old', { id: 'old', model: 'AuthorizationCode', sealed: 'v1.x', expiresAt: now - 1 });
    await oauth.put('live', { id: 'live', model: 'RefreshToken', sealed: 'v1.x', expiresAt: now + 60_000 });
    await oauth.put('kept', { id: 'kept', model: 'Grant', sealed: 'v1.x' });
    const links = store.collection<Record<string, unknown>>('sign-in-links');
    await links.put('spent', { interactionKey: 'k', personId: 'p', accountId: 'a', expiresAt: now - 1 });
    await pruneOld(store, now, createLogger({ level: 'silent' }));
    expect((await oauth.list()).map((d) => d.id).sort()).toEqual(['kept', 'live']);
    expect(await links.count()).toBe(0);
  });
});
