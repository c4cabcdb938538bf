import { describe, expect, it } from 'vitest';
import { hideAtText, nextSteps, useOAuthEndpoints } from '../../../src/registration/credentials-card.js';
import type { AppRecord } from '../../../src/registry/app-records.js';

const app = (over: Partial<AppRecord>) => ({ appType: 'bot', appName: 'A', ...over }) as AppRecord;
const text = (a: AppRecord) => nextSteps(a).map((l) => l.runs.map((r) => r.text).join('')).join('\n');
const code = (a: AppRecord) => nextSteps(a).flatMap((l) => l.runs.filter((r) => r.font === 'monospace').map((r) => r.text));

describe('next steps on the credentials card', () => {
  it('sends a private bot to the Developer Console and a public one to the App Gallery', () => {
    expect(text(app({ access: 'private' }))).toMatch(/from the Developer Console/);
    expect(text(app({ access: 'private' }))).not.toMatch(/App Gallery/);
    expect(text(app({ access: 'public', promote: true }))).toMatch(/install it from the App Gallery/);
    // Public but not promoted: other accounts install it, and it is not said to be listed.
    expect(text(app({ access: 'public', promote: false }))).toMatch(/not listed in the App Gallery \(you chose not to promote it\)/);
    expect(text(app({ appType: 'rest-api', authMethod: 'jwt', access: 'public', promote: false }))).toMatch(/not listed in the App Gallery/);
    expect(text(app({ appType: 'rest-api', authMethod: 'jwt', access: 'public', promote: true }))).toMatch(/you promote are listed in the App Gallery/);
    expect(text(app({ access: 'public' }))).not.toMatch(/Developer Console/);
  });

  it('mentions no redirect URI for a bot that never gave one, and shows one in code style when it did', () => {
    expect(text(app({ access: 'private' }))).not.toMatch(/redirect URI/i);
    expect(code(app({ access: 'private', redirectUris: ['https://bot.example.com/oauth'] }))).toEqual(['https://bot.example.com/oauth']);
  });

  it("names Registrar's own endpoints and the grant type in code style for REST API apps", () => {
    useOAuthEndpoints({ issuer: 'https://bot.example.com/oauth', authorize: 'https://bot.example.com/oauth/auth', token: 'https://bot.example.com/oauth/token' });
    expect(code(app({ appType: 'rest-api', authMethod: 'jwt', access: 'private', appName: 'Expense Sync' }))).toEqual(['create jwt Expense Sync', 'https://bot.example.com/oauth/token', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'https://bot.example.com/oauth']);
    expect(code(app({ appType: 'rest-api', authMethod: 'oauth', refreshTokens: true, access: 'private' }))).toEqual(['https://bot.example.com/oauth/auth', 'https://bot.example.com/oauth/token', 'https://bot.example.com/oauth']);
    expect(text(app({ appType: 'rest-api', authMethod: 'oauth', access: 'private' }))).not.toMatch(/RingCentral's authorization page|Developer Console/);
    expect(text(app({ appType: 'rest-api', authMethod: 'oauth', refreshTokens: false, access: 'public' }))).toMatch(/Refresh tokens are off[^]*App Gallery/);
  });

  it('gives the hide time as a clock time with no countdown', () => {
    const sent = Date.UTC(2026, 10, 28, 10, 0);
    expect(hideAtText(sent + 15 * 60_000, sent)).toBe('Copy the secrets now: they are shown once and hidden at 10:15 UTC, 15 minutes after this card was sent.');
  });

  it('says the date when the secrets hide on another day, and the span in the unit that reads best', () => {
    const sent = Date.UTC(2026, 10, 28, 23, 50);
    expect(hideAtText(sent + 20_000, sent)).toMatch(/hidden at 23:50 UTC, 20 seconds after/);
    expect(hideAtText(sent + 5 * 3_600_000, sent)).toMatch(/hidden at 04:50 UTC on 2026-11-29, 5 hours after/);
    expect(hideAtText(sent + 2 * 86_400_000, sent)).toMatch(/hidden at 23:50 UTC on 2026-11-30, 2 days after/);
    expect(hideAtText(sent + 30 * 86_400_000, sent)).toMatch(/on 2026-12-28, 30 days after/);
  });
});

describe('token lifetimes on the card', () => {
  it('says the configured lifetimes, not fixed ones', async () => {
    const { useOAuthEndpoints } = await import('../../../src/registration/credentials-card.js');
    useOAuthEndpoints({ issuer: 'https://r/oauth', authorize: 'https://r/oauth/auth', token: 'https://r/oauth/token', accessTokenSeconds: 600, refreshTokenDays: 2 });
    try {
      const said = text(app({ appType: 'rest-api', authMethod: 'oauth', refreshTokens: true, access: 'private' }));
      expect(said).toContain('lasts 2 days');
      expect(said).toContain('Access tokens last 10 minutes.');
      expect(text(app({ appType: 'rest-api', authMethod: 'oauth', refreshTokens: false, access: 'private' }))).toContain('(after 10 minutes)');
    } finally {
      useOAuthEndpoints({ issuer: '/oauth', authorize: '/oauth/auth', token: '/oauth/token' });
    }
  });
});
