import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { click, register } from '../../helpers/approvals.js';
import { discover, oidc } from '../../helpers/oauth.js';
import { until } from '../../helpers/poll.js';
import { startWorld, type World } from '../../helpers/world.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

describe('scopes decided in the admins channel, seen in tokens', () => {
  it('puts a scope an admin approves in the next token, and never one they reject', async () => {
    w = await startWorld({ adminChat: ['dave', 'erin'] });
    const { app, secret } = await register(w, w.alice, 'ReadMessages,ReadCallRecording,A2PSMS');
    const { credential } = await w.bot.oauth.credentials.issue({ clientId: app.clientId, accountId: w.account.id, personId: w.alice.id, days: 1 });
    const config = await discover(w, app.clientId, secret);
    const exchange = async () => decodeJwt((await oidc.genericGrantRequest(config, 'urn:ietf:params:oauth:grant-type:jwt-bearer', { assertion: credential, scope: 'ReadMessages ReadCallRecording A2PSMS' })).access_token).scope;
    expect(await exchange()).toBe('ReadMessages');
    await click(w, w.dave, 'Approve checked, reject the rest', { approvedScopes: 'ReadCallRecording', reason: 'SMS volume not justified.' });
    await until(async () => (await w.bot.registry.get(app.clientId))!.grantedScopes.includes('ReadCallRecording'), 'not approved');
    expect(await exchange()).toBe('ReadMessages ReadCallRecording');
  });
});
