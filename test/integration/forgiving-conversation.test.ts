import { afterEach, describe, expect, it } from 'vitest';
import { dialogTitle, register } from '../helpers/approvals.js';
import { flowDriver, startFlowWorld } from '../helpers/flow.js';
import { cardText, startWorld, unescaped, type World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const dialogText = (result: { body: unknown }) => cardText((result.body as { dialog?: { card?: unknown } } | null)?.dialog?.card ?? {});

async function team(w: World) {
  const chat = await w.emulator.createChat({ accountId: w.account.id, type: 'Team', name: 'Eng', members: [w.alice.id, w.bob.id, w.botId] });
  await w.emulator.waitFor(() => w.botTexts(chat.id).length === 1, { message: 'no greeting in the team' });
  return chat;
}

describe('greetings', () => {
  it('answers "Hello!" in a direct chat with a short welcome that says to type create app', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    const [reply] = await world.say(world.alice, dm.id, 'Hello!');
    expect(reply?.text).toMatch(/^Hello! I am Registrar/);
    expect(reply?.text).toContain('Type **create app**');
    expect(reply?.text).not.toMatch(/don't know/);
  });

  it('answers "good morning, Registrar" in a team with a welcome that says to mention the bot', async () => {
    world = await startWorld();
    const chat = await team(world);
    const [reply] = await world.say(world.bob, chat.id, `![:Person](${world.botId}) good morning, Registrar`);
    expect(reply?.text).toContain('Mention me with **create app**');
    expect(reply?.text).not.toMatch(/Type \*\*create app/);
  });
});

describe('near misses', () => {
  it('asks "did you mean create app?" for "creat app" and "did you mean resume?" for "resum"', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    const [create] = await world.say(world.alice, dm.id, 'creat app');
    expect(create?.text).toContain('Did you mean **create app**?');
    const [resume] = await world.say(world.alice, dm.id, 'resum');
    expect(resume?.text).toContain('Did you mean **resume**?');
    const [swapped] = await world.say(world.alice, dm.id, 'hlep');
    expect(swapped?.text).toContain('Did you mean **help**?');
    expect(world.botCards(dm.id)).toHaveLength(0); // a guess is only offered, never acted on
  });

  it('offers no guess for words that are not close to any command', async () => {
    world = await startWorld();
    const dm = await world.dm(world.alice);
    const [reply] = await world.say(world.alice, dm.id, 'what is the weather');
    expect(reply?.text).toMatch(/I don't know "what is the weather"/);
    expect(reply?.text).not.toContain('Did you mean');
    expect(reply?.text).toContain('Type **help**');
  });

  it('in a team, says to mention the bot in its hints', async () => {
    world = await startWorld();
    const chat = await team(world);
    const [reply] = await world.say(world.alice, chat.id, `![:Person](${world.botId}) creat app`);
    expect(reply?.text).toContain('Did you mean **create app**?');
    expect(reply?.text).toContain('Mention me with **help**');
    const [help] = await world.say(world.alice, chat.id, `![:Person](${world.botId}) help`);
    expect(help?.text).toMatch(/mention me before each command/);
    const [resume] = await world.say(world.alice, chat.id, `![:Person](${world.botId}) resume`);
    expect(resume?.text).toContain('mention me with **create app**');
  });
});

describe('welcomes where the bot is added', () => {
  it("greets the admins' channel with pending and audit, and a team with create app", async () => {
    world = await startWorld({ adminChat: ['dave'] });
    const [adminWelcome] = world.botTexts(world.adminChatId);
    expect(adminWelcome).toContain('**pending**');
    expect(adminWelcome).toContain('**audit <app>**');
    const chat = await team(world);
    const [teamWelcome] = world.botTexts(chat.id);
    expect(teamWelcome).toContain('Mention me with **create app**');
    expect(teamWelcome).not.toContain('pending');
  });

  it("answers a greeting in the admins' channel with pending and audit", async () => {
    world = await startWorld({ adminChat: ['dave'] });
    const [reply] = await world.say(world.dave, world.adminChatId, `![:Person](${world.botId}) hi`);
    expect(reply?.text).toContain('**pending**');
    expect(reply?.text).toContain('**audit <app>**');
  });
});

describe('stale forms', () => {
  it('points an outdated button of an open form to resume', async () => {
    const started = await startFlowWorld();
    world = started.world;
    const stale = started.flow.action('next');
    await started.flow.next({ appType: 'rest-api' });
    const result = await started.flow.click('next', { appType: 'bot' }, { data: stale });
    expect(dialogTitle(result)).toBe('This form has moved on');
    expect(dialogText(result)).toContain('Type **resume**');
  });

  it('points a closed form to resume when another registration is open, and to create app when none is', async () => {
    const started = await startFlowWorld();
    const w = (world = started.world);
    const old = started.flow.flowCard();
    const oldNext = started.flow.action('next');
    await started.flow.click('cancel');
    const closed = await w.emulator.submit({ cardId: old.id, personId: w.alice.id, data: { ...oldNext, appType: 'bot' } });
    expect(dialogTitle(closed)).toBe('This form is closed');
    expect(dialogText(closed)).toContain('Type **create app**');
    expect(dialogText(closed)).not.toContain('resume');

    const second = flowDriver(w, w.alice, started.dm.id);
    await w.say(w.alice, started.dm.id, 'create app');
    expect(second.flowCard().id).not.toBe(old.id);
    const again = await w.emulator.submit({ cardId: old.id, personId: w.alice.id, data: { ...oldNext, appType: 'bot' } });
    expect(dialogTitle(again)).toBe('This form is closed');
    expect(dialogText(again)).toContain('type **resume**');
    expect(dialogText(again)).not.toContain('create app');
  });

  it('turns the card a resumed form leaves behind into one line', async () => {
    const started = await startFlowWorld();
    const w = (world = started.world);
    const old = started.flow.flowCard();
    await w.say(w.alice, started.dm.id, 'resume');
    await w.emulator.waitFor(() => cardText(w.emulator.card(old.id)!.body) !== cardText(old.body), { message: 'old card not retired' });
    const body = w.emulator.card(old.id)!.body as { body: unknown[]; actions?: unknown[] };
    expect(body.body).toHaveLength(1);
    expect(body.actions ?? []).toHaveLength(0);
    expect(cardText(body)).toBe('This form continues in a newer card below.');
  });
});

describe('cancel', () => {
  it('says so once in the direct chat: the card changes and no message repeats it', async () => {
    const started = await startFlowWorld();
    const w = (world = started.world);
    const texts = w.botTexts(started.dm.id).length;
    await w.emulator.post({ chatId: started.dm.id, personId: w.alice.id, text: 'cancel' });
    await w.emulator.waitFor(() => started.flow.text().includes('Registration cancelled'), { message: 'the card never said it was cancelled' });
    await w.emulator.settle();
    await new Promise((r) => setTimeout(r, 200));
    expect(w.botTexts(started.dm.id)).toHaveLength(texts);
    expect(started.flow.text().match(/cancelled/gi)).toHaveLength(1);
  });

  it('typed in a team, answers there once, with the mention hint', async () => {
    const started = await startFlowWorld();
    const w = (world = started.world);
    const form = started.flow.flowCard();
    const chat = await team(w);
    const replies = await w.say(w.alice, chat.id, `![:Person](${w.botId}) cancel`);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toMatch(/^Cancelled: nothing was registered/);
    expect(replies[0]?.text).toContain('mention me with **create app**');
    await w.emulator.waitFor(() => cardText(w.emulator.card(form.id)!.body).includes('Registration cancelled'), { message: 'the form card was not closed' });
  });
});

describe('audit by the beginning of a name', () => {
  it('finds the one app whose name begins so, in any case', async () => {
    world = await startWorld({ adminChat: ['dave'] });
    await register(world, world.alice, 'ReadCallRecording', 'Expense Sync');
    const [reply] = await world.say(world.dave, world.adminChatId, `![:Person](${world.botId}) audit EXPEN`);
    expect(unescaped(reply!.text!)).toMatch(/^Approval history of \*\*Expense Sync\*\*/);
    expect(reply?.text).toMatch(/requested by Alice Archer/);
  });

  it('lists the apps when the beginning fits several, and still says when it fits none', async () => {
    world = await startWorld({ adminChat: ['dave'] });
    await register(world, world.alice, 'ReadCallRecording', 'Expense Sync');
    await register(world, world.bob, 'ReadCallRecording', 'Expense Report');
    const [several] = await world.say(world.dave, world.adminChatId, `![:Person](${world.botId}) audit expense`);
    expect(unescaped(several!.text!)).toMatch(/^2 apps have names beginning with "expense"/);
    expect(unescaped(several!.text!)).toContain('Expense Sync');
    expect(unescaped(several!.text!)).toContain('Expense Report');
    const [none] = await world.say(world.dave, world.adminChatId, `![:Person](${world.botId}) audit Payroll`);
    expect(none?.text).toMatch(/I know no app called "Payroll"/);
  });
});
