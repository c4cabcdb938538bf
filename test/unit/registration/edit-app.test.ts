import { describe, expect, it } from 'vitest';
import type { AppRecord } from '../../../src/registry/app-records.js';
import type { AppDraft } from '../../../src/registry/fields.js';
import { loadScopeCatalog } from '../../../src/registry/scope-catalog.js';
import { applyEdit, draftOf, editDetail, editRefusal } from '../../../src/registration/edit-app.js';

const catalog = loadScopeCatalog();
const app: AppRecord = {
  appType: 'rest-api',
  appName: 'Expense Sync',
  displayName: 'Expense Sync',
  primaryContact: 'alice@acme.example',
  promote: false,
  authMethod: 'oauth',
  redirectUris: ['https://app.example.com/cb'],
  refreshTokens: true,
  scopes: ['ReadMessages', 'ReadCallRecording', 'A2PSMS'],
  justification: 'We archive call recordings for compliance audits.',
  access: 'private',
  interactiveMessages: true,
  outboundWebhookUrl: 'https://hooks.example.com/rc',
  clientId: 'c1',
  accountId: 'acc',
  ownerId: 'alice',
  status: 'active',
  grantedScopes: ['ReadMessages'],
  pendingScopes: ['ReadCallRecording'],
  sharedSecrets: [{ id: 'ss-1', sealed: 'sealed', last4: 'abcd', issuedAt: '2026-11-28T00:00:00.000Z' }],
  createdAt: '2026-11-28T00:00:00.000Z',
  updatedAt: '2026-11-28T00:00:00.000Z',
};

describe('an edit', () => {
  it('starts from the scopes the app holds or waits for, not a rejected one', () => {
    expect(draftOf(app).scopes).toEqual(['ReadMessages', 'ReadCallRecording']);
    expect(draftOf(app)).not.toHaveProperty('clientId');
  });

  it('grants, files and removes scopes, drops answers that no longer apply, and ends shared secrets with interactive messages', () => {
    const draft: AppDraft = { ...(draftOf(app) as AppDraft), authMethod: 'jwt', scopes: ['ReadCallRecording', 'SMS', 'Voicemail'], interactiveMessages: false };
    delete draft.redirectUris;
    delete draft.refreshTokens;
    delete draft.outboundWebhookUrl;
    const next = applyEdit(app, draft, catalog, 'flow-1', Date.parse('2026-11-29T00:00:00Z'));
    expect(next).toMatchObject({ grantedScopes: ['SMS'], pendingScopes: ['ReadCallRecording', 'Voicemail'], sharedSecrets: [], authMethod: 'jwt', clientId: 'c1', status: 'active' });
    expect(next).not.toHaveProperty('redirectUris');
    expect(next.lastEdit).toMatchObject({ id: 'flow-1', granted: ['SMS'], pending: ['Voicemail'], removed: ['ReadMessages'], sharedSecretsEnded: true });
    expect(editDetail(next.lastEdit!)).toBe(
      'changed Auth method, Redirect URIs, Refresh tokens, Interactive messages, Outbound webhook URL; scopes added: SMS; scopes sent to the admins: Voicemail; scopes removed: ReadMessages; shared secrets ended',
    );
  });

  it('never changes the type, whatever the draft says', () => {
    const next = applyEdit(app, { ...(draftOf(app) as AppDraft), appType: 'bot' }, catalog, 'flow-2', Date.now());
    expect(next.appType).toBe('rest-api');
    expect(next.lastEdit!.fields).toEqual([]);
  });

  it('is refused to anyone but the owner, and for a deleted app', () => {
    expect(editRefusal(app, 'acc', 'alice')).toBeUndefined();
    expect(editRefusal(app, 'acc', 'bob')).toMatch(/owner/);
    expect(editRefusal(app, 'other', 'alice')).toMatch(/no longer exists/);
    expect(editRefusal({ ...app, status: 'deleted' }, 'acc', 'alice')).toMatch(/deleted/);
    expect(editRefusal({ ...app, status: 'suspended' }, 'acc', 'alice')).toBeUndefined();
  });
});
