import { afterEach, describe, expect, it } from 'vitest';
import { goodBasics } from '../../helpers/flow.js';
import { pageClient, startQuietSandbox, type Sandbox } from '../../helpers/sandbox.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('the sandbox chat page after a restart on the same DATA_DIR', () => {
  it('lists the same chats and posts, and the registered app is still there', async () => {
    const first = await startQuietSandbox();
    sandbox = first.sandbox;
    const alice = pageClient(sandbox.page.url, 'alice');
    const dm = (await alice.chats()).find((c) => c.kind === 'direct')!.id;
    await alice.say(dm, 'create app');
    await expect.poll(async () => (await alice.card(dm))?.version).toBe(1);
    const steps: Record<string, unknown>[] = [
      { appType: 'rest-api' },
      goodBasics,
      { authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' },
      { scopes: 'ReadMessages', justification: '' },
      { access: 'private', partners: '' },
      { interactiveMessages: 'false', outboundWebhookUrl: '' },
    ];
    for (const values of steps) expect((await alice.click(dm, 'next', values)).body.status).toBe(200);
    await alice.click(dm, 'submit');
    await sandbox.emulator.settle();
    const before = { chats: await alice.chats(), posts: await alice.posts(dm), team: await alice.posts(sandbox.meta.teamChatId) };
    expect(JSON.stringify(before.posts)).toContain(`App registered: ${goodBasics.appName}`);
    await sandbox.close();
    sandbox = undefined;

    sandbox = (await startQuietSandbox(first.dataDir)).sandbox;
    const again = pageClient(sandbox.page.url, 'alice');
    expect(await again.chats()).toEqual(before.chats);
    expect((await again.posts(dm)).map((r) => [r.id, r.card?.version ?? null])).toEqual(before.posts.map((r) => [r.id, r.card?.version ?? null]));
    expect((await again.posts(sandbox.meta.teamChatId)).map((r) => r.id)).toEqual(before.team.map((r) => r.id));
    const alicePerson = sandbox.emulator.person(sandbox.meta.people.alice!.id)!;
    const apps = await sandbox.bot.registry.listByOwner(alicePerson.companyId, alicePerson.id);
    expect(apps.map((a) => a.appName)).toEqual([goodBasics.appName]);
  });
});
