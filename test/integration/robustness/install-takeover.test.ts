import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('POST /bot/oauth is unauthenticated', () => {
  it("does not let another app's token (client_id left out) replace the working installation", async () => {
    world = await startWorld();
    // Any bot token of the same account will do; here: another bot app installed into it.
    const other = world.emulator.registerApp({ name: 'Other bot', kind: 'private', redirectUri: `http://127.0.0.1:${await freePort()}/oauth` });
    const { accessToken } = await world.emulator.installBot({ clientId: other.clientId, accountId: world.account.id, installerId: world.bob.id });
    const res = await fetch(`${world.bot.url}/bot/oauth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: accessToken }).toString(),
    });
    await world.bot.installations.idle();
    const [installation] = await world.bot.installations.list();
    expect({ status: res.status, botId: installation?.botId }).toMatchObject({ botId: world.botId });
    // And Registrar still answers its own direct messages.
    const dm = await world.dm(world.alice);
    await world.emulator.post({ chatId: dm.id, personId: world.alice.id, text: 'help' });
    await world.emulator.waitFor(() => world!.botTexts(dm.id).length > 0, { timeoutMs: 2000, message: 'Registrar went deaf after the takeover' });
  });
});
