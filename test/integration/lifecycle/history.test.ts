import { afterEach, describe, expect, it } from 'vitest';
import { newestSecret, press, pressAs, registerApp, sayForCard, sayForText } from '../../helpers/lifecycle.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('the history of an app', () => {
  it('has an entry for every lifecycle action, shown by audit <app>', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm, clientId, secret } = await registerApp(w, w.alice, 'Card App', { interactive: true });
    const card = await sayForCard(w, w.alice, dm.id, 'app Card App');
    await press(w, card, w.alice, 'Rotate client secret');
    const second = newestSecret(w, dm.id).secret;
    await press(w, card, w.alice, 'Rotate shared secret');
    await press(w, card, w.alice, `Revoke client secret …${secret.slice(-4)}`);
    await pressAs(w, card, w.bob, 'Delete app…');
    await press(w, card, w.alice, 'Offer the app', { newOwner: w.bob.id });
    const bobDm = await w.dm(w.bob);
    await press(w, w.botCards(bobDm.id).at(-1)!.id, w.bob, 'Decline');
    const admin = await sayForCard(w, w.dave, w.adminChatId, `![:Person](${w.botId}) app ${clientId}`);
    await press(w, admin, w.dave, 'Suspend app', { reason: 'Checking it.' });
    await press(w, admin, w.erin, 'Reinstate app', { reason: '' });
    const fresh = await sayForCard(w, w.alice, dm.id, 'app Card App');
    await press(w, fresh, w.alice, 'Delete app…');
    await press(w, w.botCards(dm.id).at(-1)!.id, w.alice, 'Delete for good');
    const history = await sayForText(w, w.dave, w.adminChatId, `![:Person](${w.botId}) audit ${clientId}`);
    const lines = history.split('\n').slice(1).map((l) => l.replace(/^• \d{4}-\d\d-\d\d \d\d:\d\d UTC: /, ''));
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^client secret rotated by Alice Archer: new client secret …${second.slice(-4)}; …${secret.slice(-4)} keeps working until .+ UTC$`)),
      expect.stringMatching(/^shared secret rotated by Alice Archer: new shared secret …\w{4}; …\w{4} keeps working until .+ UTC$/),
      `client secret revoked by Alice Archer: client secret …${secret.slice(-4)}`,
      'refused a click by Bob Baker (delete-app: not the owner)',
      `hand-over offered by Alice Archer: to Bob Baker (${w.bob.id})`,
      `hand-over declined by Bob Baker: by Bob Baker (${w.bob.id})`,
      'suspended by Dave Admin (reason: Checking it.)',
      'reinstated by Erin Admin',
      'deleted by Alice Archer',
    ]);
  });
});
