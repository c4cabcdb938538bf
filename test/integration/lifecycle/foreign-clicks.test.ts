import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRecord } from '../../../src/registry/app-records.js';
import { dialogTitle, press, pressAs, registerApp, sayForCard } from '../../helpers/lifecycle.js';
import { startWorld, type World } from '../../helpers/world.js';

/**
 * Every lifecycle button, clicked by someone it is not for (a signed click naming another person):
 * a private dialog, and the app exactly as it was.
 */
let w: World;
let clientId: string;
const cards: Record<string, string> = {};

beforeAll(async () => {
  w = await startWorld({ adminChat: ['dave', 'erin'], env: { SECRET_REVEAL_SECONDS: '60' } });
  const app = await registerApp(w, w.alice, 'Card App', { interactive: true });
  clientId = app.clientId;
  w.clock.advance(61_000);
  await w.bot.sweep();
  cards.credentials = w.botCards(app.dm.id).find((c) => c.id && JSON.stringify(w.emulator.card(c.id)!.body).includes('App registered'))!.id;
  cards.owner = await sayForCard(w, w.alice, app.dm.id, 'app Card App');
  cards.list = await sayForCard(w, w.alice, app.dm.id, 'my apps');
  await press(w, cards.owner, w.alice, 'Delete app…');
  cards.confirm = w.botCards(app.dm.id).at(-1)!.id;
  await press(w, cards.owner, w.alice, 'Offer the app', { newOwner: w.bob.id });
  cards.offer = w.botCards((await w.dm(w.bob)).id).at(-1)!.id;
  cards.admin = await sayForCard(w, w.dave, w.adminChatId, `![:Person](${w.botId}) app ${clientId}`);
}, 60_000);

afterAll(async () => {
  await w?.close();
});

const record = async () => JSON.stringify(await w.bot.registry.get(clientId));

describe('a click by someone the button is not for', () => {
  it.each([
    ['rotate-secret on the app card', 'owner', 'Rotate client secret', 'bob', 'This app is not yours'],
    ['rotate-secret on the hidden credentials card', 'credentials', 'Rotate client secret', 'bob', 'This app is not yours'],
    ['rotate-shared-secret', 'owner', 'Rotate shared secret', 'bob', 'This app is not yours'],
    ['revoke-secret', 'owner', /^Revoke client secret/, 'bob', 'This app is not yours'],
    ['revoke-secret of the shared secret', 'owner', /^Revoke shared secret/, 'bob', 'This app is not yours'],
    ['transfer-app', 'owner', 'Offer the app', 'bob', 'This app is not yours'],
    ['delete-app', 'owner', 'Delete app…', 'bob', 'This app is not yours'],
    ['confirm-delete', 'confirm', 'Delete for good', 'bob', 'This app is not yours'],
    ['show-app', 'list', 'Open Card App', 'bob', 'This app is not yours'],
    ['my-apps-page', 'list', 'Open Card App', 'bob', 'This list is not yours', { action: 'my-apps-page', page: '1' }],
    ['accept-transfer', 'offer', 'Accept', 'carol', 'This offer is not for you'],
    ['decline-transfer', 'offer', 'Decline', 'carol', 'This offer is not for you'],
    ['suspend-app', 'admin', 'Suspend app', 'alice', 'Admins only', { reason: 'mine now' }],
    ['reinstate-app', 'admin', 'Suspend app', 'bob', 'Admins only', { action: 'reinstate-app' }],
  ] as const)('%s: refused in a private dialog, nothing changed', async (_label, card, title, who, dialog, extra: Record<string, unknown> = {}) => {
    const before = await record();
    const posts = w.emulator.posts({ creatorId: w.botId }).length;
    const result = await pressAs(w, cards[card]!, w[who], title, { newOwner: w.carol.id, ...extra });
    expect(dialogTitle(result)).toBe(dialog);
    expect(await record()).toBe(before);
    expect(w.emulator.posts({ creatorId: w.botId }).length).toBe(posts);
  });

  it('leaves the app with its owner, active, with one client and one shared secret', async () => {
    const app = (await w.bot.registry.get(clientId)) as AppRecord;
    expect([app.ownerId, app.status, app.clientSecrets!.length, app.sharedSecrets!.length]).toEqual([w.alice.id, 'active', 1, 1]);
  });
});
