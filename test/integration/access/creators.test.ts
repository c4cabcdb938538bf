import { afterEach, describe, expect, it } from 'vitest';
import { submitActions } from '../../../src/cards/inspect-card.js';
import { membersKnown, restartWith, tryCreate } from '../../helpers/access.js';
import { adminCards, click, dialogTitle, latestAdminCard } from '../../helpers/approvals.js';
import { press, sayForText } from '../../helpers/lifecycle.js';
import { cardText, clickAs, startWorld, unescaped, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const mention = (w: World, id = w.botId) => `![:Person](${id})`;
const adminText = (w: World) => unescaped(cardText(latestAdminCard(w).body));

describe('CREATORS=* (the default)', () => {
  it('lets anyone in the account register', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    expect((await tryCreate(w, w.bob)).form).toBe(true);
    expect((await tryCreate(w, w.carol)).form).toBe(true);
  });
});

describe('CREATORS as a list of person ids', () => {
  it('lets the people listed and the admins register, and tells anyone else how to ask', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    await restartWith(w, { CREATORS: `${w.alice.id}, ${w.carol.id}` });
    expect((await tryCreate(w, w.alice)).form).toBe(true);
    expect((await tryCreate(w, w.dave)).form).toBe(true); // an admin, not listed
    const bob = await tryCreate(w, w.bob);
    expect(bob.form).toBe(false);
    expect(bob.text).toContain('You do not have permission to register apps');
    expect(bob.text).toContain('(or type **request access**)');
    expect(submitActions(w.emulator.card(bob.cardId!)!.body).map((a) => a.title)).toEqual(['Request access']);
    expect(adminCards(w)).toHaveLength(0); // nothing is asked for until Bob asks
  });

  it('refuses at submit someone taken off the list while their form was open, keeping the form', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    await restartWith(w, { CREATORS: w.bob.id });
    expect((await tryCreate(w, w.bob)).form).toBe(true);
    await restartWith(w, { CREATORS: w.alice.id });
    const dm = await w.dm(w.bob);
    const { flowDriver, walkToReview } = await import('../../helpers/flow.js');
    const flow = flowDriver(w, w.bob, dm.id);
    await walkToReview(flow);
    const result = await flow.click('submit');
    expect(dialogTitle(result)).toBe('Not registered');
    expect(JSON.stringify(result.body)).toContain('request access');
    expect(await w.bot.registry.listByOwner(w.account.id, w.bob.id)).toEqual([]);
    expect(flow.text()).toContain('Review');
  });
});

describe('asking for access', () => {
  it('files one request in the admins\' channel; an admin refuses with a reason, then grants a new one, and the person is told each time', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    await restartWith(w, { CREATORS: w.alice.id });
    const bobDm = await w.dm(w.bob);
    const answer = await tryCreate(w, w.bob);
    const asked = await press(w, answer.cardId!, w.bob, 'Request access');
    expect(dialogTitle(asked)).toBe('Request access');
    expect(JSON.stringify(asked.body)).toContain('with the admins');
    await w.emulator.waitFor(() => adminCards(w).length === 1, { message: 'no access request card' });
    expect(adminText(w)).toContain('Permission to register apps requested');
    expect(adminText(w)).toContain('Person: Bob Baker');
    expect(adminText(w)).toContain('Email: bob@acme.example');

    // Asking again while it waits files nothing new.
    expect(await sayForText(w, w.bob, bobDm.id, 'request access')).toContain('already with the admins');
    expect(adminCards(w)).toHaveLength(1);
    expect((await tryCreate(w, w.bob)).text).toContain('Your request for access is with the admins since');

    // Only admins decide, checked when the click arrives; a refusal needs a reason.
    expect(dialogTitle(await clickAs(w, latestAdminCard(w).id, w.carol, { action: 'grant-access', requestId: submitActions(latestAdminCard(w).body)[0]!.data.requestId }))).toBe('You cannot decide this request');
    expect(dialogTitle(await click(w, w.dave, 'Refuse', { reason: '  ' }))).toBe('A reason is needed');
    expect((await tryCreate(w, w.bob)).form).toBe(false);
    await click(w, w.dave, 'Refuse', { reason: 'Ask your team lead to join the developers first.' });
    expect(adminText(w)).toContain('Access refused');
    expect(adminText(w)).toContain('Reason: Ask your team lead to join the developers first.');
    expect(submitActions(latestAdminCard(w).body)).toEqual([]);
    await w.emulator.waitFor(() => w.botTexts(bobDm.id).some((t) => t.includes('refused your request')), { message: 'Bob was not told' });
    expect(unescaped(w.botTexts(bobDm.id).find((t) => t.includes('refused your request'))!)).toContain('Dave Admin refused your request for permission to register apps. Reason: Ask your team lead to join the developers first.');
    // A second click on the decided card changes nothing.
    expect(dialogTitle(await clickAs(w, latestAdminCard(w).id, w.erin, { action: 'grant-access', requestId: submitActions(w.emulator.card(adminCards(w)[0]!.id)!.versions[0]!.body)[0]!.data.requestId }))).toBe('Already decided');

    const again = await tryCreate(w, w.bob);
    expect(again.text).toContain('Your last request was refused (reason: Ask your team lead to join the developers first.)');
    expect(await sayForText(w, w.bob, bobDm.id, 'request access')).toContain('with the admins');
    await w.emulator.waitFor(() => adminCards(w).length === 2, { message: 'no second request card' });
    await click(w, w.erin, 'Grant');
    expect(adminText(w)).toContain('Access granted: they may register apps');
    await w.emulator.waitFor(() => w.botTexts(bobDm.id).some((t) => t.includes('granted you permission')), { message: 'Bob was not told of the grant' });
    expect((await tryCreate(w, w.bob)).form).toBe(true);
    expect(await sayForText(w, w.bob, bobDm.id, 'request access')).toContain('You may already register apps');

    // The history: `audit @Bob` (a mention) or his id; an email is not looked up (it would open a conversation).
    const byMention = await sayForText(w, w.dave, w.adminChatId, `${mention(w)} audit ${mention(w, w.bob.id)}`);
    expect(byMention).toContain(`History of Bob Baker (${w.bob.id})`);
    expect(byMention).toContain('permission to register apps requested by Bob Baker');
    expect(byMention).toContain('permission to register apps refused for Bob Baker by Dave Admin (reason: Ask your team lead to join the developers first.)');
    expect(byMention).toContain('permission to register apps granted for Bob Baker by Erin Admin');
    expect(await sayForText(w, w.dave, w.adminChatId, `${mention(w)} audit person ${w.bob.id}`)).toBe(byMention);
    expect(await sayForText(w, w.dave, w.adminChatId, `${mention(w)} audit bob@acme.example`)).toContain('Mention them instead (type @ and choose them), or give their person ID');
    expect(await sayForText(w, w.dave, w.adminChatId, `${mention(w)} audit ${w.bob.id}`)).toBe(byMention);
  });

  it('says where to turn when there is no admins\' channel', async () => {
    const w = (world = await startWorld());
    await restartWith(w, { CREATORS: w.alice.id });
    const dm = await w.dm(w.bob);
    expect(await sayForText(w, w.bob, dm.id, 'request access')).toContain('no admins\' channel set up');
  });
});

describe('CREATORS=chat:<id>', () => {
  it('follows the members of the developers\' team as they join and leave, at once', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const team = await w.emulator.createChat({ accountId: w.account.id, type: 'Team', name: 'Developers', members: [w.alice.id] });
    await restartWith(w, { CREATORS: `chat:${team.id}` });
    // RingCentral lists no team members on request here (contract appendix "Team members"): what the bot knows, it knows from the team's chat events.
    await w.emulator.addMembers(team.id, [w.botId]);
    await membersKnown(w, team.id, (m) => m.includes(w.alice.id));
    expect((await tryCreate(w, w.alice)).form).toBe(true);
    const bob = await tryCreate(w, w.bob);
    expect(bob.text).toContain("Only members of the developers' chat may register apps here, and you are not one of them.");

    await w.emulator.addMembers(team.id, [w.bob.id]);
    await membersKnown(w, team.id, (m) => m.includes(w.bob.id));
    expect((await tryCreate(w, w.bob)).form).toBe(true);

    await w.emulator.removeMembers(team.id, [w.alice.id]);
    await membersKnown(w, team.id, (m) => !m.includes(w.alice.id));
    const alice = await tryCreate(w, w.alice);
    expect(alice.form).toBe(false);
    expect(alice.text).toContain('You do not have permission to register apps');
  });

  it('asks RingCentral at the moment for a group chat, which lists its members', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const group = await w.emulator.createChat({ accountId: w.account.id, type: 'Group', name: 'Devs', members: [w.alice.id, w.carol.id] });
    await restartWith(w, { CREATORS: `chat:${group.id}` });
    await w.emulator.addMembers(group.id, [w.botId]);
    expect((await tryCreate(w, w.carol)).form).toBe(true);
    expect((await tryCreate(w, w.bob)).form).toBe(false);
    await w.emulator.addMembers(group.id, [w.bob.id]);
    expect((await tryCreate(w, w.bob)).form).toBe(true);
  });

  it('refuses politely, offering to ask, when the members of the chat cannot be known', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const team = await w.emulator.createChat({ accountId: w.account.id, type: 'Team', name: 'Developers', members: [w.alice.id] });
    await restartWith(w, { CREATORS: `chat:${team.id}` }); // the bot is not in it
    const alice = await tryCreate(w, w.alice);
    expect(alice.form).toBe(false);
    expect(alice.text).toContain('I cannot check its members right now');
    expect(submitActions(w.emulator.card(alice.cardId!)!.body).map((a) => a.title)).toEqual(['Request access']);
    expect(w.logs.some((l) => l.includes('is the bot a member of it?'))).toBe(true);
  });
});
