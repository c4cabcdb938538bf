import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const production = {
  RINGCENTRAL_CLIENT_ID: 'client-id',
  RINGCENTRAL_CLIENT_SECRET: 'client-secret',
  RINGCENTRAL_SHARED_SECRET: 'shared-secret-value',
  BOT_PUBLIC_URL: 'https://bot.example.com/',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs the sandbox with defaults when no client id is set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ sandbox: true, port: 3000, delivery: 'webhook', dataDir: './data', serverUrl: 'https://platform.ringcentral.com', flowExpireHours: 24 });
  });

  it('reads a production configuration and trims the trailing slash of URLs', () => {
    const c = loadConfig({ ...production, ADMIN_IDS: '111, 222', RINGCENTRAL_DELIVERY: 'websocket' });
    expect(c).toMatchObject({ sandbox: false, botPublicUrl: 'https://bot.example.com', adminIds: ['111', '222'], delivery: 'websocket' });
  });

  it('names each variable that is malformed', () => {
    const problems = problemsOf({ ...production, PORT: 'eighty', RINGCENTRAL_DELIVERY: 'pigeon', RINGCENTRAL_SERVER_URL: 'ftp://x' });
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/RINGCENTRAL_DELIVERY/);
    expect(problems.join('\n')).toMatch(/RINGCENTRAL_SERVER_URL/);
  });

  it('requires the shared secret, client secret and public URL outside the sandbox', () => {
    const problems = problemsOf({ RINGCENTRAL_CLIENT_ID: 'client-id' });
    expect(problems.join('\n')).toMatch(/RINGCENTRAL_SHARED_SECRET/);
    expect(problems.join('\n')).toMatch(/RINGCENTRAL_CLIENT_SECRET/);
    expect(problems.join('\n')).toMatch(/BOT_PUBLIC_URL/);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
  });

  it('rejects a verification token that is too short and a malformed secret key', () => {
    const problems = problemsOf({ RINGCENTRAL_VERIFICATION_TOKEN: 'short', REGISTRAR_SECRET_KEY: 'nope' });
    expect(problems.join('\n')).toMatch(/RINGCENTRAL_VERIFICATION_TOKEN/);
    expect(problems.join('\n')).toMatch(/REGISTRAR_SECRET_KEY/);
  });

  it.each(['http://bot.example.com', 'http://10.0.0.5:3000', 'http://localhost.evil.example'])('refuses a plain-http BOT_PUBLIC_URL %s outside the sandbox', (url) => {
    expect(problemsOf({ ...production, BOT_PUBLIC_URL: url })).toEqual([expect.stringMatching(/^BOT_PUBLIC_URL: must be an https:\/\/ URL/)]);
  });

  it.each(['http://127.0.0.1:3000', 'http://localhost:8080', 'http://[::1]:3000', 'https://bot.example.com'])('accepts BOT_PUBLIC_URL %s', (url) => {
    expect(loadConfig({ ...production, BOT_PUBLIC_URL: url }).botPublicUrl).toBe(url);
  });

  it('requires ADMIN_IDS with ADMIN_CHAT_ID outside the sandbox, saying why', () => {
    const problems = problemsOf({ ...production, ADMIN_CHAT_ID: '12345' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^ADMIN_IDS: required when ADMIN_CHAT_ID is set/);
    expect(problems[0]).toMatch(/members of a team/);
    expect(loadConfig({ ...production, ADMIN_CHAT_ID: '12345', ADMIN_IDS: '111' }).adminIds).toEqual(['111']);
    expect(loadConfig({ ADMIN_CHAT_ID: '12345' }).sandbox).toBe(true); // the sandbox names its own admin
  });

  it("defaults the dialogs' icon to the bot's own, and takes BOT_ICON_URL", () => {
    expect(loadConfig(production).botIconUrl).toBe('https://bot.example.com/bot/icon.png');
    expect(loadConfig({ PORT: '4100' }).botIconUrl).toBe('http://127.0.0.1:4100/bot/icon.png');
    expect(loadConfig({ ...production, BOT_ICON_URL: 'https://cdn.example.com/r.png' }).botIconUrl).toBe('https://cdn.example.com/r.png');
    expect(problemsOf({ ...production, BOT_ICON_URL: 'icon.png' }).join('\n')).toMatch(/BOT_ICON_URL/);
  });
});

describe('authorization server settings', () => {
  it('defaults to /oauth, an hour, a week, a year, five minutes and 90 days', () => {
    expect(loadConfig({}).oauth).toEqual({ issuerPath: '/oauth', accessTokenSeconds: 3600, refreshTokenDays: 7, jwtCredentialMaxDays: 365, signInLinkMinutes: 5, keyRotationDays: 90, trustProxy: false });
  });

  it('reads them, trimming a trailing slash of the path', () => {
    const c = loadConfig({ OAUTH_ISSUER_PATH: '/auth/server/', ACCESS_TOKEN_SECONDS: '600', REFRESH_TOKEN_DAYS: '30', JWT_CREDENTIAL_MAX_DAYS: '90', SIGN_IN_LINK_MINUTES: '10', OAUTH_KEY_ROTATION_DAYS: '30', OAUTH_TRUST_PROXY: 'true' });
    expect(c.oauth).toEqual({ issuerPath: '/auth/server', accessTokenSeconds: 600, refreshTokenDays: 30, jwtCredentialMaxDays: 90, signInLinkMinutes: 10, keyRotationDays: 30, trustProxy: true });
  });

  it.each([
    ['OAUTH_ISSUER_PATH', 'oauth'],
    ['OAUTH_ISSUER_PATH', '/bot'],
    ['OAUTH_ISSUER_PATH', '/registry'],
    ['OAUTH_ISSUER_PATH', '/.well-known/x'],
    ['OAUTH_ISSUER_PATH', '/..'],
    ['OAUTH_ISSUER_PATH', '/a/../bot'],
    ['OAUTH_ISSUER_PATH', '/.'],
    ['OAUTH_ISSUER_PATH', '/Bot'],
    ['OAUTH_ISSUER_PATH', '/HEALTHZ'],
    ['OAUTH_ISSUER_PATH', '/metrics'],
    ['OAUTH_ISSUER_PATH', '/a b'],
    ['ACCESS_TOKEN_SECONDS', '30'],
    ['ACCESS_TOKEN_SECONDS', '1.5'],
    ['REFRESH_TOKEN_DAYS', '0'],
    ['JWT_CREDENTIAL_MAX_DAYS', '4000'],
    ['SIGN_IN_LINK_MINUTES', '61'],
    ['OAUTH_KEY_ROTATION_DAYS', '-1'],
    ['OAUTH_TRUST_PROXY', 'maybe'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(problemsOf({ [name]: value }).join('\n')).toMatch(new RegExp(`^${name}:`));
  });
});

describe('METRICS_TOKEN', () => {
  it('is read when set, and unset by default', () => {
    expect(loadConfig({ ...production }).metricsToken).toBeUndefined();
    expect(loadConfig({ ...production, METRICS_TOKEN: 'scrape-token-0123456789' }).metricsToken).toBe('scrape-token-0123456789');
  });

  it.each(['short', 'has spaces in the middle of it', 'x'.repeat(257)])('refuses %j, naming it', (value) => {
    expect(problemsOf({ ...production, METRICS_TOKEN: value }).join('\n')).toMatch(/^METRICS_TOKEN: must be 16 to 256 printable characters/);
  });
});
