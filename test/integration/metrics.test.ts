import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { click, register } from '../helpers/approvals.js';
import { glipSignature } from '../../src/emulator/index.js';
import { startWorld, type World } from '../helpers/world.js';

const TOKEN = 'metrics-scrape-token-0123456789';

const worlds: World[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});

async function world(options: Parameters<typeof startWorld>[0] = {}) {
  const w = await startWorld({ ...options, env: { METRICS_TOKEN: TOKEN, ...options.env } });
  worlds.push(w);
  return w;
}

async function scrape(w: World) {
  const res = await request(w.bot.url).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
  expect(res.status).toBe(200);
  return res.text;
}

/** One sample's value from the exposition; a labelled series never observed counts as 0. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2] ? m[2].split(',') : [];
    if (want.length === have.length && want.every((l) => have.includes(l))) return Number(m[3]);
  }
  return 0;
}

const webhook = (outcome: string) => ['registrar_deliveries_total', { route: 'webhook', outcome }] as const;
const interactive = (outcome: string) => ['registrar_deliveries_total', { route: 'interactive', outcome }] as const;

describe('/metrics', () => {
  it('counts a registration, its deliveries, an approval and its time, rejections by reason and 429s by group', async () => {
    const w = await world({ adminChat: ['dave', 'erin'] });
    const before = await scrape(w);
    expect(sample(before, 'registrar_flows_started_total', { flow: 'registration' })).toBe(0);
    expect(sample(before, ...interactive('accepted'))).toBe(0);
    const webhooksBefore = sample(before, ...webhook('accepted'));
    expect(sample(before, ...webhook('handshake'))).toBe(1); // the subscription made at install

    await register(w); // "create app", six steps and submit; the scopes need an admin's approval
    let text = await scrape(w);
    expect(sample(text, 'registrar_flows_started_total', { flow: 'registration' })).toBe(1);
    expect(sample(text, 'registrar_flows_completed_total', { flow: 'registration' })).toBe(1);
    expect(sample(text, ...interactive('accepted'))).toBe(7);
    expect(sample(text, ...webhook('accepted'))).toBeGreaterThan(webhooksBefore);

    // The admin decides an hour and a half later, on the bot's clock.
    w.clock.advance(90 * 60_000);
    expect((await click(w, w.dave, 'Approve all')).status).toBe(200);
    text = await scrape(w);
    expect(sample(text, 'registrar_approval_decision_seconds_count', { outcome: 'approved' })).toBe(1);
    expect(sample(text, 'registrar_approval_decision_seconds_sum', { outcome: 'approved' })).toBe(5400);
    expect(sample(text, 'registrar_approval_decision_seconds_bucket', { outcome: 'approved', le: '3600' })).toBe(0);
    expect(sample(text, 'registrar_approval_decision_seconds_bucket', { outcome: 'approved', le: '14400' })).toBe(1);

    // Deliveries refused, each for its reason.
    const post = () => request(w.bot.url).post('/bot/webhook').set('Content-Type', 'application/json');
    expect((await post().set('Verification-Token', 'not-the-verification-token').send({ event: 'x' })).status).toBe(401);
    expect((await post().set('Verification-Token', w.bot.verificationToken).send('{"half": ')).status).toBe(400);
    expect((await post().set('Verification-Token', w.bot.verificationToken).send(`"${'x'.repeat(1024 * 1024 + 10)}"`)).status).toBe(413);
    expect((await request(w.bot.url).post('/bot/webhook').set('Validation-Token', 'handshake-probe')).status).toBe(200);
    const body = JSON.stringify({ type: 'button_submit' });
    expect((await request(w.bot.url).post('/bot/interactive').set('Content-Type', 'application/json').set('X-Glip-Signature', 'forged').send(body)).status).toBe(401);
    const signed = (raw: string) => request(w.bot.url).post('/bot/interactive').set('Content-Type', 'application/json').set('X-Glip-Signature', glipSignature(w.app.sharedSecret, raw)).send(raw);
    expect((await signed('{"not json')).status).toBe(200);
    expect((await signed(body)).status).toBe(200); // JSON, but no button_submit
    expect((await request(w.bot.url).post('/bot/interactive').set('Content-Type', 'application/json').send('x'.repeat(1024 * 1024 + 10))).status).toBe(413);

    // A 429 on a post (Medium group, named by X-Rate-Limit-Group) is retried and counted.
    const dm = await w.dm(w.alice);
    w.emulator.failNext(1, { status: 429, retryAfter: 0 }, { method: 'POST', pathPrefix: `/team-messaging/v1/chats/${dm.id}/posts` });
    await w.say(w.alice, dm.id, 'help');

    text = await scrape(w);
    expect(sample(text, ...webhook('bad_token'))).toBe(1);
    expect(sample(text, ...webhook('bad_json'))).toBe(1);
    expect(sample(text, ...webhook('too_large'))).toBe(1);
    expect(sample(text, ...webhook('handshake'))).toBe(2);
    expect(sample(text, ...interactive('bad_signature'))).toBe(1);
    expect(sample(text, ...interactive('invalid'))).toBe(2);
    expect(sample(text, ...interactive('too_large'))).toBe(1);
    expect(sample(text, 'registrar_ratelimit_429_total', { group: 'medium' })).toBe(1);
    expect(sample(text, 'registrar_ratelimit_429_total', { group: 'light' })).toBe(0);
  });

  it('exposes the outbox series at zero, and the process metrics, in Prometheus text format', async () => {
    const w = await world();
    const res = await request(w.bot.url).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    for (const name of ['registrar_outbox_retries_total', 'registrar_outbox_parked_total', 'registrar_outbox_parked']) {
      expect(res.text).toContain(`# TYPE ${name} `);
      expect(res.text).toMatch(new RegExp(`^${name} 0$`, 'm'));
    }
    expect(res.text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(res.text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  it('keeps the counts of two bots in one process apart', async () => {
    const [a, b] = [await world(), await world()];
    await request(a.bot.url).post('/bot/webhook').set('Content-Type', 'application/json').set('Verification-Token', 'not-the-verification-token').send({});
    expect(sample(await scrape(a), ...webhook('bad_token'))).toBe(1);
    expect(sample(await scrape(b), ...webhook('bad_token'))).toBe(0);
  });

  it('asks for METRICS_TOKEN as a Bearer token when it is set', async () => {
    const w = await world();
    const none = await request(w.bot.url).get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.text).not.toContain('registrar_');
    expect((await request(w.bot.url).get('/metrics').set('Authorization', `Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await request(w.bot.url).get('/metrics').set('Authorization', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`)).status).toBe(401);
    expect((await request(w.bot.url).get('/metrics').set('Authorization', `Bearer ${TOKEN}`)).status).toBe(200);
  });

  it('is not served outside the sandbox when METRICS_TOKEN is unset', async () => {
    const w = await startWorld({ noInstall: true });
    worlds.push(w);
    const res = await request(w.bot.url).get('/metrics');
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('registrar_');
  });
});
