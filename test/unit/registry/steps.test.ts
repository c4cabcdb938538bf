import { describe, expect, it } from 'vitest';
import { loadScopeCatalog } from '../../../src/registry/scope-catalog.js';
import { mergeStep, sectionTitle, STEPS, stepFields, stepsFor, validateDraft, validateStep, type AppDraft, type StepContext } from '../../../src/registry/steps.js';

const catalog = loadScopeCatalog();
const REASON = 'We send appointment reminders to opted-in patients by SMS.';

const ctx = (draft: Partial<AppDraft> = {}, extra: Partial<StepContext> = {}): StepContext => ({
  draft,
  existingAppNames: ['Foo App (staging)'],
  allowNotificationAddins: false,
  catalog,
  ...extra,
});

const restApi: AppDraft = {
  appType: 'rest-api',
  appName: 'Reminders',
  displayName: 'Clinic Reminders',
  primaryContact: 'ops@example.com',
  promote: false,
  authMethod: 'oauth',
  redirectUris: ['https://app.example.com/cb'],
  refreshTokens: true,
  scopes: ['SMS', 'A2PSMS'],
  justification: REASON,
  access: 'public',
  partners: ['bt', 'telus'],
  interactiveMessages: true,
  outboundWebhookUrl: 'https://hooks.example.com/rc',
};

describe('stepsFor and sectionTitle', () => {
  it('gives REST API apps every step, bots no auth step, and add-ins only basics and features', () => {
    expect(stepsFor('rest-api')).toEqual([...STEPS]);
    expect(stepsFor('bot')).toEqual(['type', 'basics', 'scopes', 'access', 'features', 'review']);
    expect(stepsFor('notification')).toEqual(['type', 'basics', 'features', 'review']);
  });

  it('names each section in plain words', () => {
    expect(STEPS.map(sectionTitle)).toEqual(['App type', 'Name and contact', 'Authentication', 'Scopes', 'Access', 'Features', 'Review']);
  });

  it('lists the field ids each step submits', () => {
    expect(stepFields('auth')).toEqual(['authMethod', 'redirectUris', 'refreshTokens']);
    expect(stepFields('review')).toEqual([]);
  });
});

describe('validateStep', () => {
  it('accepts an app type and explains that notification add-ins are not available', () => {
    expect(validateStep('type', { appType: 'bot' }, ctx())).toEqual({ ok: true, values: { appType: 'bot' } });
    const result = validateStep('type', { appType: 'notification' }, ctx());
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.appType).toMatch(/deprecated/);
    expect(validateStep('type', { appType: 'notification' }, ctx({}, { allowNotificationAddins: true })).ok).toBe(true);
  });

  it('parses the basics, with unset toggles read as off', () => {
    const result = validateStep('basics', { appName: ' Reminders ', displayName: 'Clinic Reminders', primaryContact: 'Ops@Example.com', iconUrl: '' }, ctx({ appType: 'rest-api' }));
    expect(result).toEqual({ ok: true, values: { appName: 'Reminders', displayName: 'Clinic Reminders', primaryContact: 'Ops@example.com', promote: false } });
  });

  it('refuses an app name the requester already uses, ignoring case', () => {
    const result = validateStep('basics', { appName: 'FOO APP (Staging)', displayName: 'Foo', primaryContact: 'a@example.com' }, ctx({ appType: 'rest-api' }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.appName).toBe('You already have an app called "FOO APP (Staging)". Please choose a different name.');
  });

  it('requires an icon for bots but not for REST API apps', () => {
    const input = { appName: 'Helper', displayName: 'Helper', primaryContact: 'a@example.com' };
    expect(validateStep('basics', input, ctx({ appType: 'rest-api' })).ok).toBe(true);
    const bot = validateStep('basics', input, ctx({ appType: 'bot' }));
    expect(!bot.ok && bot.errors.iconUrl).toMatch(/need an icon/);
  });

  it('returns every field error together with the raw values to show again', () => {
    const input = { appName: '', displayName: 'x'.repeat(70), iconUrl: 'https://cdn.example.com/logo', primaryContact: 'nobody', promote: 'true' };
    const result = validateStep('basics', input, ctx({ appType: 'bot' }));
    expect(result).toEqual({
      ok: false,
      errors: {
        appName: 'Please enter an app name.',
        displayName: 'The display name can be at most 64 characters (yours has 70).',
        iconUrl: expect.stringMatching(/image file/),
        primaryContact: 'Enter an email address like name@example.com.',
      },
      values: input,
    });
  });

  it('re-shows typed lists and booleans as the strings a card expects', () => {
    const result = validateStep('auth', { authMethod: 'oauth', redirectUris: ['http://x', 'https://a.example.com/cb'], refreshTokens: true }, ctx({ appType: 'rest-api' }));
    expect(!result.ok && result.values).toEqual({ authMethod: 'oauth', redirectUris: 'http://x\nhttps://a.example.com/cb', refreshTokens: 'true' });
  });

  it('requires redirect URIs for OAuth and drops them and refresh tokens for JWT', () => {
    const oauth = validateStep('auth', { authMethod: 'oauth', refreshTokens: 'true' }, ctx({ appType: 'rest-api' }));
    expect(!oauth.ok && oauth.errors.redirectUris).toMatch(/at least one redirect URI/);
    const jwt = validateStep('auth', { authMethod: 'jwt', redirectUris: 'http://x', refreshTokens: 'true' }, ctx({ appType: 'rest-api' }));
    expect(jwt).toEqual({ ok: true, values: { authMethod: 'jwt' } });
  });

  it('folds the two scope groups into one list, and "all partners" or "only these" into partners', () => {
    const scopes = validateStep('scopes', { scopes: 'ReadMessages', approvalScopes: 'VoipCalling', justification: 'We place calls from our dialer for support staff.' }, ctx({ appType: 'rest-api' }));
    expect(scopes.ok && scopes.values.scopes).toEqual(['ReadMessages', 'VoipCalling']);
    const all = validateStep('access', { access: 'public', partnerReach: 'all', partners: 'att' }, ctx({ appType: 'rest-api' }));
    expect(all.ok && all.values.partners).toBe('all');
    const only = validateStep('access', { access: 'public', partnerReach: 'only', partners: 'att' }, ctx({ appType: 'rest-api' }));
    expect(only.ok && only.values.partners).toEqual(['att']);
    const none = validateStep('access', { access: 'public', partnerReach: 'only', partners: '' }, ctx({ appType: 'rest-api' }));
    expect(!none.ok && none.errors.partners).toMatch(/at least one/);
  });

  it('skips redirect URI checks while the auth method itself is invalid', () => {
    const result = validateStep('auth', { authMethod: 'magic', redirectUris: 'http://x' }, ctx({ appType: 'rest-api' }));
    expect(!result.ok && result.errors).toEqual({ authMethod: 'Choose OAuth (3-legged) or JWT.' });
  });

  it('asks for a justification naming the scopes that need approval', () => {
    const missing = validateStep('scopes', { scopes: 'SMS,A2PSMS,ReadCallRecording' }, ctx({ appType: 'bot' }));
    expect(!missing.ok && missing.errors.justification).toBe(
      'A2PSMS, ReadCallRecording need approval from an admin of this account. Please explain why your app needs them (at least 30 characters).',
    );
    const short = validateStep('scopes', { scopes: 'A2PSMS', justification: 'because' }, ctx({ appType: 'bot' }));
    expect(!short.ok && short.errors.justification).toMatch(/^A2PSMS needs approval from an admin of this account\. Please explain in at least 30 characters.*\(you wrote 7\)/);
    expect(validateStep('scopes', { scopes: 'A2PSMS', justification: REASON }, ctx({ appType: 'bot' }))).toEqual({
      ok: true,
      values: { scopes: ['A2PSMS'], justification: REASON },
    });
  });

  it('accepts a justification nobody needed, and leaves it out', () => {
    expect(validateStep('scopes', { scopes: 'SMS', justification: 'just in case' }, ctx({ appType: 'bot' }))).toEqual({ ok: true, values: { scopes: ['SMS'] } });
  });

  it('requires partners for public apps only', () => {
    const open = validateStep('access', { access: 'public' }, ctx({ appType: 'rest-api' }));
    expect(!open.ok && open.errors.partners).toMatch(/Choose all partners/);
    expect(validateStep('access', { access: 'public', partners: 'all' }, ctx({ appType: 'rest-api' }))).toEqual({ ok: true, values: { access: 'public', partners: 'all' } });
    expect(validateStep('access', { access: 'private', partners: 'all,bt' }, ctx({ appType: 'rest-api' }))).toEqual({ ok: true, values: { access: 'private' } });
  });

  it('requires a public webhook URL only when interactive messages are on', () => {
    const on = validateStep('features', { interactiveMessages: 'true' }, ctx({ appType: 'bot' }));
    expect(!on.ok && on.errors.outboundWebhookUrl).toMatch(/need an outbound webhook URL/);
    const local = validateStep('features', { interactiveMessages: 'true', outboundWebhookUrl: 'https://192.168.1.1/hook' }, ctx({ appType: 'bot' }));
    expect(!local.ok && local.errors.outboundWebhookUrl).toMatch(/private network/);
    expect(validateStep('features', { interactiveMessages: 'false', outboundWebhookUrl: 'https://192.168.1.1/hook' }, ctx({ appType: 'bot' }))).toEqual({
      ok: true,
      values: { interactiveMessages: false },
    });
  });

  it('asks notification add-ins for installation instructions and ignores interactive messages', () => {
    const addin = ctx({ appType: 'notification' }, { allowNotificationAddins: true });
    const missing = validateStep('features', { interactiveMessages: 'true' }, addin);
    expect(!missing.ok && missing.errors).toEqual({ manualInstructions: 'Please enter installation instructions for your users.' });
    expect(validateStep('features', { manualInstructions: 'Paste the URL.', webInstallUrl: 'https://install.example.com/' }, addin)).toEqual({
      ok: true,
      values: { manualInstructions: 'Paste the URL.', webInstallUrl: 'https://install.example.com/' },
    });
  });

  it('accepts the review step with no inputs', () => {
    expect(validateStep('review', {}, ctx({ appType: 'bot' }))).toEqual({ ok: true, values: {} });
  });

  it('refuses a step that does not belong to the app type', () => {
    expect(() => validateStep('auth', { authMethod: 'jwt' }, ctx({ appType: 'bot' }))).toThrow(expect.objectContaining({ code: 'STEP_NOT_APPLICABLE' }));
    expect(() => validateStep('basics', {}, ctx())).toThrow(expect.objectContaining({ code: 'STEP_NOT_APPLICABLE' }));
  });
});

describe('mergeStep', () => {
  it('replaces the step fields so values that no longer apply disappear', () => {
    const merged = mergeStep(restApi, 'auth', { authMethod: 'jwt', refreshTokens: false });
    expect(merged).toMatchObject({ authMethod: 'jwt', refreshTokens: false, appName: 'Reminders' });
    expect(merged).not.toHaveProperty('redirectUris');
  });
});

describe('validateDraft', () => {
  it('accepts a complete draft and returns it unchanged', () => {
    expect(validateDraft(restApi, ctx())).toEqual({ ok: true, draft: restApi });
  });

  it('drops fields that do not apply to the final choices', () => {
    const result = validateDraft({ ...restApi, authMethod: 'jwt', access: 'private', interactiveMessages: false }, ctx());
    expect(result.ok).toBe(true);
    expect(result.ok && result.draft).not.toHaveProperty('redirectUris');
    expect(result.ok && result.draft).not.toHaveProperty('partners');
    expect(result.ok && result.draft).not.toHaveProperty('outboundWebhookUrl');
  });

  it('reports the first failing step with its errors', () => {
    const result = validateDraft({ ...restApi, justification: undefined, partners: 'all' }, ctx());
    expect(result).toMatchObject({ ok: false, step: 'scopes', errors: { justification: expect.stringMatching(/A2PSMS needs approval/) } });
  });

  it('fails on the type step when notification add-ins have been switched off since', () => {
    const addin: Partial<AppDraft> = { appType: 'notification', appName: 'Alerts', displayName: 'Alerts', iconUrl: 'https://cdn.example.com/a.png', primaryContact: 'a@example.com', manualInstructions: 'Paste it.' };
    expect(validateDraft(addin, ctx({}, { allowNotificationAddins: true })).ok).toBe(true);
    expect(validateDraft(addin, ctx())).toMatchObject({ ok: false, step: 'type' });
  });
});
