import { createHmac } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/engine-store.js';
import { SCHEMA } from '../../src/store/schema.js';
import type { Store } from '../../src/store/store.js';
import { startWorld, type World } from '../helpers/world.js';

/**
 * Hostile input (issue 13 item 5): random bodies, headers, content types and Unicode thrown at
 * every ingress route of the running bot. Each case must be answered below 500; after each route
 * the bot still answers /healthz and the store holds exactly what it held before.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

let world: World;
let store: Store;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

beforeAll(async () => {
  world = await startWorld({ store: async () => (store = createMemoryStore()) });
  // The install's own notifications (the bot joining its chats) land a moment later: wait until the store is still.
  let last = '';
  for (let still = 0; still < 3; ) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await snapshot();
    still = now === last ? still + 1 : 0;
    last = now;
  }
}, 60_000);
afterAll(async () => {
  agent.destroy();
  await world.close();
});

async function snapshot(): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const name of Object.keys(SCHEMA)) out[name] = await store.collection(name).list();
  return JSON.stringify(out);
}

interface Sent {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

/** One raw request; resolves with the status (0 when the server closed the connection without an answer). */
function send({ method, path, headers = {}, body }: Sent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${world.bot.url}${path}`, { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolve(0) : reject(err)));
    req.end(body);
  });
}

/** Percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD). */
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const unicode = fc.string({ unit: 'binary', maxLength: 40 });
/** A header value node:http will send: visible Latin-1, no CR/LF. */
const headerValue = fc.oneof(
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, ' ').trim()),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c === 0x7f ? 0x20 : c)), maxLength: 60 }).map((s) => s.trim()),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=latin1',
  'text/plain',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  ';;;',
  '',
);
const headers = fc.record(
  {
    'content-type': contentType,
    'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-nope'),
    authorization: fc.oneof(headerValue, headerValue.map((v) => `Basic ${Buffer.from(v, 'latin1').toString('base64')}`), headerValue.map((v) => `Bearer ${v}`)),
    'x-glip-signature': headerValue,
    'verification-token': headerValue,
    'validation-token': headerValue,
    cookie: headerValue,
    accept: headerValue,
    'x-forwarded-for': headerValue,
    'x-random': headerValue,
  },
  { requiredKeys: [] },
).map((h) => Object.fromEntries(Object.entries(h).filter(([k, v]) => v !== '' || k === 'content-type')) as Record<string, string>);
const formBody = fc.dictionary(fc.oneof(fc.constantFrom('access_token', 'client_id', 'grant_type', 'token', 'code', 'redirect_uri', 'scope', 'prompt', '__proto__', 'constructor'), unicode), fc.oneof(unicode, fc.constant('')), { maxKeys: 6 })
  .map((d) => Object.entries(d).map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&'));
const body = fc.oneof(
  fc.json({ maxDepth: 3 }).map((s) => Buffer.from(s)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify({ ...(typeof v === 'object' && v !== null ? v : { v }), __proto__: { polluted: true } }))),
  unicode.map((s) => Buffer.from(s)),
  formBody.map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.constantFrom('{', '{"a":', '[1,2', 'null', '"x"', '\u0000', '{"__proto__":{"x":1}}', '%E0%A4%A', 'a=%zz').map((s) => Buffer.from(s)),
);
/** A path segment: percent-encoded Unicode, or raw bytes (some malformed escapes). */
const segment = fc.oneof(unicode.map(pct), fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '.', '%2e%2e', '%00', 'constructor', '__proto__'), fc.stringMatching(/^[A-Za-z0-9._~-]{1,30}$/));
const query = fc.option(fc.dictionary(fc.oneof(fc.constantFrom('code', 'client_id', 'response_type', 'redirect_uri', 'scope', 'state', 'creator_extension_id', 'request', 'code[]'), unicode.map(pct)), segment, { maxKeys: 5 }), { nil: undefined }).map((q) =>
  q === undefined ? '' : `?${Object.entries(q).map(([k, v]) => `${k}=${v}`).join('&')}`,
);

interface Route {
  name: string;
  method: 'GET' | 'POST';
  /** The path, with random segments and query put in. */
  path: (seg: string, seg2: string, q: string) => string;
  /** Headers that make the request authentic (the fuzz then reaches the handler behind the check). */
  sign?: (body: Buffer) => Record<string, string>;
}

const routes: Route[] = [
  { name: 'POST /bot/webhook', method: 'POST', path: (_s, _t, q) => `/bot/webhook${q}` },
  { name: 'POST /bot/interactive', method: 'POST', path: (_s, _t, q) => `/bot/interactive${q}` },
  { name: 'POST /bot/webhook (with our verification token)', method: 'POST', path: (_s, _t, q) => `/bot/webhook${q}`, sign: () => ({ 'verification-token': world.bot.verificationToken }) },
  { name: 'POST /bot/interactive (signed)', method: 'POST', path: (_s, _t, q) => `/bot/interactive${q}`, sign: (b) => ({ 'x-glip-signature': createHmac('sha1', world.app.sharedSecret).update(b).digest('hex') }) },
  { name: 'POST /bot/oauth', method: 'POST', path: (_s, _t, q) => `/bot/oauth${q}` },
  { name: 'GET /bot/oauth', method: 'GET', path: (_s, _t, q) => `/bot/oauth${q}` },
  { name: 'GET /registry/clients/:id', method: 'GET', path: (s, _t, q) => `/registry/clients/${s}${q}` },
  { name: 'GET /healthz', method: 'GET', path: (_s, _t, q) => `/healthz${q}` },
  { name: 'GET /bot/icon.png', method: 'GET', path: (_s, _t, q) => `/bot/icon.png${q}` },
  { name: 'POST /oauth/token', method: 'POST', path: (_s, _t, q) => `/oauth/token${q}` },
  { name: 'POST /oauth/token/introspection', method: 'POST', path: (_s, _t, q) => `/oauth/token/introspection${q}` },
  { name: 'POST /oauth/token/revocation', method: 'POST', path: (_s, _t, q) => `/oauth/token/revocation${q}` },
  { name: 'GET /oauth/auth', method: 'GET', path: (_s, _t, q) => `/oauth/auth${q}` },
  { name: 'POST /oauth/auth', method: 'POST', path: (_s, _t, q) => `/oauth/auth${q}` },
  { name: 'GET /oauth/interaction/:uid', method: 'GET', path: (s, _t, q) => `/oauth/interaction/${s}${q}` },
  { name: 'POST /oauth/interaction/:uid/identify', method: 'POST', path: (s, _t, q) => `/oauth/interaction/${s}/identify${q}` },
  { name: 'GET /oauth/interaction/:uid/signin/:token', method: 'GET', path: (s, t, q) => `/oauth/interaction/${s}/signin/${t}${q}` },
  { name: 'POST /oauth/interaction/:uid/allow', method: 'POST', path: (s, _t, q) => `/oauth/interaction/${s}/allow${q}` },
  { name: 'POST /oauth/interaction/:uid/deny', method: 'POST', path: (s, _t, q) => `/oauth/interaction/${s}/deny${q}` },
];

describe('hostile input at every ingress route', () => {
  for (const route of routes) {
    it(`${route.name}: ${RUNS} random requests, none answered 5xx, no crash, store unchanged`, async () => {
      const before = await snapshot();
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(segment, segment, query, headers, fc.option(body, { nil: undefined }), async (s, t, q, h, b) => {
          const sent = route.method === 'POST' ? b : undefined;
          const status = await send({ method: route.method, path: route.path(s, t, q), headers: { ...h, ...route.sign?.(sent ?? Buffer.alloc(0)) }, body: sent });
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          expect(status, `answered ${status}`).toBeGreaterThanOrEqual(route.name.startsWith('POST') ? 0 : 100);
          expect(status).toBeLessThan(500);
        }),
        { numRuns: RUNS },
      );
      expect(await send({ method: 'GET', path: '/healthz' })).toBe(200);
      await new Promise((r) => setTimeout(r, 200)); // deliveries are handled after their 200
      expect(await snapshot()).toBe(before);
      // Refused, mostly: a random request is never taken as a real one (the static routes excepted).
      if (!['GET /healthz', 'GET /bot/icon.png'].includes(route.name)) expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    }, 60_000);
  }

  it('caps the body of every route: 2 MB is refused with a 4xx (or the connection is cut), never a 5xx', async () => {
    const before = await snapshot();
    const big = Buffer.alloc(2 * 1024 * 1024, 'a');
    for (const route of routes) {
      for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/plain']) {
        const status = await send({ method: route.method, path: route.path('x', 'y', ''), headers: { 'content-type': type, ...route.sign?.(big) }, body: big });
        expect(status === 0 || (status >= 400 && status < 500) || (route.method === 'GET' && status < 500), `${route.name} ${type}: ${status}`).toBe(true);
      }
    }
    expect(await send({ method: 'GET', path: '/healthz' })).toBe(200);
    expect(await snapshot()).toBe(before);
  }, 60_000);

  it('answers malformed JSON and wrong content types with a 4xx on the routes that parse bodies', async () => {
    const cases: Array<[string, string, string]> = [
      ['/bot/oauth', 'application/json', '{"access_token":'],
      ['/bot/oauth', 'application/json; charset=bogus', '{}'],
      ['/bot/oauth', 'text/plain', 'access_token=x'],
      ['/bot/webhook', 'application/json', '{'], // with our token: it gets as far as the parse
      ['/bot/interactive', 'application/json', '{'],
      ['/oauth/token', 'application/json', '{'],
      ['/oauth/token', 'text/plain', 'grant_type=client_credentials'],
      ['/oauth/token/introspection', 'application/x-www-form-urlencoded; charset=bogus', 'token=x'],
      ['/oauth/token/revocation', 'application/json', '{'],
      ['/oauth/interaction/x/identify', 'application/x-www-form-urlencoded; charset=bogus', 'email=x'],
    ];
    for (const [path, type, text] of cases) {
      const token: Record<string, string> = path === '/bot/webhook' ? { 'verification-token': world.bot.verificationToken } : {};
      const status = await send({ method: 'POST', path, headers: { 'content-type': type, ...token }, body: Buffer.from(text) });
      expect(status, `${path} ${type}`).toBeGreaterThanOrEqual(400);
      expect(status, `${path} ${type}`).toBeLessThan(500);
    }
  });
});
