import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { cardText } from '../../../src/cards/inspect-card.js';
import type { AppRecord } from '../../../src/registry/app-records.js';
import { dialogTitle, press, registerApp, sayForCard, sayForText, textOf } from '../../helpers/lifecycle.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Gives Alice's app another name straight in the store (the form refuses some of these names; old records may hold them). */
async function rename(w: World, clientId: string, appName: string) {
  await w.bot.registry.update(clientId, (a: AppRecord) => ({ ...a, appName }));
}

describe('hostile input', () => {
  it('finds nothing for names like constructor and __proto__, and finds an app that is really called so', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm, clientId } = await registerApp(w, w.alice, 'Expense Sync');
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(await sayForText(w, w.alice, dm.id, `app ${name}`)).toContain('You have no app called');
      expect(await sayForText(w, w.dave, w.adminChatId, `![:Person](${w.botId}) app ${name}`)).toContain('I know no app called');
    }
    await rename(w, clientId, 'constructor');
    const card = await sayForCard(w, w.alice, dm.id, 'app constructor');
    expect(textOf(w, card)).toContain(`client ID ${clientId}`);
    // A click naming an action or an app id that is a JavaScript name finds nothing.
    const odd = await w.emulator.submit({ cardId: card, personId: w.alice.id, data: { action: 'rotate-secret', clientId: '__proto__', botId: w.botId } });
    expect(dialogTitle(odd)).toBe('App not found');
  });

  it('shows markdown and mentions in app names as text, on every card and list', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { dm, clientId } = await registerApp(w, w.alice, 'Expense Sync');
    const evil = `**Pay** [here](https://evil.example) ![:Person](${w.bob.id})`;
    await rename(w, clientId, evil);
    const shown = [
      cardText(w.emulator.card(await sayForCard(w, w.alice, dm.id, `app ${clientId}`))!.body),
      cardText(w.emulator.card(await sayForCard(w, w.alice, dm.id, 'my apps'))!.body),
      cardText(w.emulator.card(await sayForCard(w, w.dave, w.adminChatId, `![:Person](${w.botId}) app ${clientId}`))!.body),
    ];
    for (const text of shown) {
      expect(text).toContain('\\*\\*Pay\\*\\* \\[here\\]\\(https://evil\\.example\\)');
      expect(text).not.toMatch(/(^|[^\\])\]\(/);
      expect(text).not.toContain('**Pay**');
    }
    // In a text post (the suspension news) too.
    const card = w.botCards(w.adminChatId).at(-1)!.id;
    await press(w, card, w.dave, 'Suspend app', { reason: `[click](https://evil.example) ![:Person](${w.carol.id})` });
    const news = w.botTexts(dm.id).at(-1)!;
    expect(news).not.toMatch(/(^|[^\\])\]\(/);
    expect(news).not.toContain(`![:Person](${w.carol.id})`);
  });

  it('answers a revoked, deleted or suspended app with the same 401 as a wrong secret', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const a = await registerApp(w, w.alice, 'Revoked App');
    const b = await registerApp(w, w.alice, 'Deleted App');
    const c = await registerApp(w, w.alice, 'Suspended App');
    const answer = async (clientId: string, secret: string) => {
      const res = await request(w.bot.url).get(`/registry/clients/${clientId}`).auth(clientId, secret);
      return { status: res.status, body: res.body as unknown, auth: res.headers['www-authenticate'] };
    };
    const wrong = await answer(a.clientId, a.secret.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')));
    expect(wrong.status).toBe(401);
    const revokeCard = await sayForCard(w, w.alice, a.dm.id, 'app Revoked App');
    await press(w, revokeCard, w.alice, /^Revoke client secret/);
    const deleteCard = await sayForCard(w, w.alice, b.dm.id, 'app Deleted App');
    await press(w, deleteCard, w.alice, 'Delete app…');
    await press(w, w.botCards(b.dm.id).at(-1)!.id, w.alice, 'Delete for good');
    const adminCard = await sayForCard(w, w.dave, w.adminChatId, `![:Person](${w.botId}) app Suspended App`);
    await press(w, adminCard, w.dave, 'Suspend app', { reason: 'Leaked.' });
    for (const [clientId, secret] of [[a.clientId, a.secret], [b.clientId, b.secret], [c.clientId, c.secret]] as const) {
      expect(await answer(clientId, secret)).toEqual(wrong);
    }
  });
});
