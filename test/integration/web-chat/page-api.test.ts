import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageClient, startQuietSandbox, type Sandbox } from '../../helpers/sandbox.js';

let sandbox: Sandbox;
let base: string;
const alice = () => pageClient(base, 'alice');

beforeAll(async () => {
  ({ sandbox } = await startQuietSandbox());
  base = sandbox.page.url;
});
afterAll(async () => {
  await sandbox?.close();
});

const direct = async (as: string) => (await pageClient(base, as).chats()).find((c) => c.kind === 'direct')!.id;

describe('the sandbox chat page API', () => {
  it('is served on loopback, with a strict Content-Security-Policy', async () => {
    expect(sandbox.page.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await res.text()).toContain('<select id="identity">');
    const script = await fetch(`${base}/app.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect((await script.text()).length).toBeGreaterThan(10_000);
  });

  it('lists each person\'s chats: the direct chat with the bot, the team, and the admin chat only for its members', async () => {
    const names = async (as: string) => (await pageClient(base, as).chats()).map((c) => `${c.kind}:${c.name}`);
    expect(await names('alice')).toEqual(['direct:Registrar', 'team:Sandbox team']);
    expect(await names('ada')).toEqual(['direct:Registrar', 'team:Sandbox team', 'admin:Registrar admins']);
    expect(await alice().call('GET', `/chats/${sandbox.meta.adminChatId}/posts?as=alice`)).toMatchObject({ status: 404 });
  });

  it('posts as a person, and the bot answers through its notification, as on RingCentral', async () => {
    const dm = await direct('alice');
    expect((await alice().say(dm, 'help')).status).toBe(201);
    const posted = sandbox.emulator.posts({ chatId: dm }).find((p) => p.text === 'help');
    expect(posted?.creatorId).toBe(sandbox.meta.people.alice!.id);
    await sandbox.emulator.waitFor(() => sandbox.emulator.deliveries.some((d) => JSON.stringify(d).includes(posted!.id)));
    await expect.poll(async () => (await alice().posts(dm)).some((r) => r.creatorId === sandbox.meta.botId)).toBe(true);
  });

  it('turns @Registrar typed in the team into a mention of the bot', async () => {
    const bob = pageClient(base, 'bob');
    await bob.say(sandbox.meta.teamChatId, '@Registrar help');
    const post = sandbox.emulator.posts({ chatId: sandbox.meta.teamChatId }).find((p) => p.creatorId === sandbox.meta.people.bob!.id)!;
    expect(post.text).toBe(`![:Person](${sandbox.meta.botId}) help`);
    expect(post.mentions?.map((m) => m.id)).toEqual([sandbox.meta.botId]);
  });

  it('keeps hostile text as it was typed, and mention markup typed by hand is no mention', async () => {
    const dm = await direct('bob');
    const a = sandbox.meta.people.alice;
    const text = `<img src=x onerror=alert(1)> ![:Person](${a!.id}) ![:Team](${sandbox.meta.adminChatId}) **not bold** </script>`;
    await pageClient(base, 'bob').say(dm, text);
    const stored = sandbox.emulator.posts({ chatId: dm }).find((p) => p.text?.startsWith('<img'))!;
    expect(stored.text).toBe(text.replaceAll('![:', '!\\[:'));
    expect(stored.mentions ?? []).toEqual([]);
    expect(JSON.stringify(stored)).not.toContain('Registrar admins');
  });

  it('answers malformed requests with a 4xx, never a 5xx', async () => {
    const dm = await direct('alice');
    const raw = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, init).then((r) => r.status);
    const json = (extra: Record<string, string>, body: string) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...extra }, body });
    const say = JSON.stringify({ as: 'alice', text: 'hi' });
    const statuses = [
      await raw('/api/chats/%ZZ/posts?as=alice'),
      await raw('/api/people/%E0%A4%A/chats'),
      await raw(`/api/chats/${dm}/posts`, json({ 'content-type': 'application/json; charset=latin1' }, say)),
      await raw(`/api/chats/${dm}/posts`, json({ 'content-encoding': 'foo' }, say)),
      await raw(`/api/chats/${dm}/posts`, json({ 'content-encoding': 'gzip' }, say)),
      await raw(`/api/chats/${dm}/posts`, json({}, '{"as": "alice", "text": ')),
    ];
    const card = sandbox.emulator.cards({ chatId: dm })[0]?.id ?? 'none';
    const deep = `${'['.repeat(60_000)}${']'.repeat(60_000)}`;
    statuses.push(await raw(`/api/cards/${card}/submit`, json({}, `{"as":"alice","chatId":"${dm}","data":{"action":"next","d":${deep}}}`)));
    let nested = '{}';
    for (let i = 0; i < 40; i++) nested = `{"d":${nested}}`;
    statuses.push(await raw(`/api/cards/${card}/submit`, json({}, `{"as":"alice","chatId":"${dm}","data":${nested}}`)));
    for (const status of statuses) expect(status).toBeGreaterThanOrEqual(400);
    for (const status of statuses) expect(status).toBeLessThan(500);
  });

  it('sends a card click as a signed submit and returns the dialog the bot answers, with its title and icon', async () => {
    const dm = await direct('alice');
    await alice().say(dm, 'create app');
    await expect.poll(async () => (await alice().card(dm))?.body).toBeDefined();
    const stale = (await alice().card(dm))!;
    const first = await alice().click(dm, 'next', { appType: 'rest-api' });
    expect(first).toMatchObject({ status: 200, body: { status: 200, dialog: null } });
    expect(sandbox.emulator.requests.length).toBeGreaterThan(0);
    // The same button of the card's first version again: the form has moved on.
    const { submitActions, cardInputs } = await import('../../../src/cards/inspect-card.js');
    const next = submitActions(stale.body).find((a) => a.data.action === 'next')!;
    const again = await alice().call('POST', `/cards/${stale.id}/submit`, { as: 'alice', chatId: dm, data: { ...cardInputs(stale.body), ...next.data, appType: 'bot' } });
    expect(again.body.dialog).toMatchObject({ title: 'This form has moved on', iconUrl: `${sandbox.meta.botUrl}/bot/icon.png` });
  });

  it('delivers a new post to an open event stream', async () => {
    const dm = await direct('alice');
    const controller = new AbortController();
    const res = await fetch(`${base}/api/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let seen = '';
    const read = async (until: RegExp) => {
      while (!until.test(seen)) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += Buffer.from(value).toString();
      }
    };
    await read(/event: ready/);
    await alice().say(dm, 'cancel');
    await read(new RegExp(`event: change\\ndata: .*"${dm}"`));
    controller.abort();
    expect(seen).toMatch(new RegExp(`"chatIds":\\["${dm}"\\]`));
  });

  it('holds at most 100 event streams; one more is told to come back later', async () => {
    const controllers = Array.from({ length: 101 }, () => new AbortController());
    try {
      const answers = [];
      for (const c of controllers) answers.push(await fetch(`${base}/api/events`, { signal: c.signal }));
      expect(answers.slice(0, 100).every((r) => r.status === 200)).toBe(true);
      expect(answers[100]!.status).toBe(503);
      expect(answers[100]!.headers.get('retry-after')).toBe('5');
    } finally {
      controllers.forEach((c) => c.abort());
    }
    await expect.poll(async () => (await fetch(`${base}/api/events`).then(async (r) => (r.body?.cancel(), r.status))), { timeout: 5000 }).toBe(200);
  });

  it('refuses cross-origin writes, writes that are not JSON, and foreign Host names', async () => {
    const dm = await direct('alice');
    const post = (headers: Record<string, string>, body: string) => fetch(`${base}/api/chats/${dm}/posts`, { method: 'POST', headers, body });
    const json = JSON.stringify({ as: 'alice', text: 'from elsewhere' });
    expect((await post({ 'content-type': 'application/json', origin: 'http://evil.example' }, json)).status).toBe(403);
    expect((await post({ 'content-type': 'text/plain' }, json)).status).toBe(415);
    expect((await post({ 'content-type': 'application/json', origin: base }, json)).status).toBe(201);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const { port } = new URL(base);
      const req = request({ host: '127.0.0.1', port, path: '/api/session', headers: { host: `rebound.example:${port}` } }, (res) => resolve(res.statusCode!));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
    expect(sandbox.emulator.posts({ chatId: dm }).filter((p) => p.text === 'from elsewhere')).toHaveLength(1);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'nobody'])('refuses the unknown person or chat id %s', async (id) => {
    const dm = await direct('alice');
    expect((await pageClient(base, id).call('GET', `/people/${id}/chats`)).status).toBe(404);
    expect((await pageClient(base, id).say(dm, 'hi')).status).toBe(404);
    expect((await alice().call('GET', `/chats/${id}/posts?as=alice`)).status).toBe(404);
    expect((await alice().say(id, 'hi')).status).toBe(404);
    expect((await alice().call('POST', `/cards/${id}/submit`, { as: 'alice', chatId: dm, data: {} })).status).toBe(404);
  });
});
