import type { Person } from '../../src/emulator/model.js';
import { submitActions } from '../../src/cards/inspect-card.js';
import { until } from './poll.js';
import { cardText, unescaped, type World } from './world.js';

/** Steps of the access tests: restart with other settings, try `create app`, read what came back. */

/** Restarts the bot with these settings added (people's ids are only known once the world exists). */
export async function restartWith(w: World, env: Record<string, string>) {
  Object.assign(w.env, env);
  await w.stop();
  await w.start();
}

/** Whether a card is a registration form (its buttons carry a flow id). */
const isForm = (body: Record<string, unknown>) => submitActions(body).some((a) => typeof a.data.flowId === 'string');

/**
 * Says "create app" in the person's direct chat and returns what the bot answered there: 'form'
 * (a registration form opened), or the text of the card or message it posted instead.
 */
export async function tryCreate(w: World, person: Person): Promise<{ form: boolean; text: string; cardId?: string }> {
  const dm = await w.dm(person);
  const before = w.emulator.posts({ chatId: dm.id, creatorId: w.botId }).length;
  await w.emulator.post({ chatId: dm.id, personId: person.id, text: 'create app' });
  await w.emulator.waitFor(() => w.emulator.posts({ chatId: dm.id, creatorId: w.botId }).length > before, { message: 'no answer to create app' });
  const post = w.emulator.posts({ chatId: dm.id, creatorId: w.botId }).at(-1)!;
  const card = w.botCards(dm.id).find((c) => c.postId === post.id);
  if (card) {
    const body = w.emulator.card(card.id)!.body;
    return { form: isForm(body), text: unescaped(cardText(body)), cardId: card.id };
  }
  return { form: false, text: unescaped(post.text ?? '') };
}

/** Waits until the bot has taken in the creators' chat's newest member list (its chat event). */
export async function membersKnown(w: World, chatId: string, expected: (members: string[]) => boolean) {
  const kept = w.bot.services.store.collection<{ members: string[] }>('chat-members');
  await until(async () => {
    const m = await kept.get(chatId);
    return m !== undefined && expected(m.members);
  }, 'the bot did not take in the chat event');
}
