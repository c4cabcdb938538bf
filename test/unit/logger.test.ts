import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { newClientSecret, newSharedSecret } from '../../src/registry/credentials.js';

function capture(level: 'debug' | 'info' | 'warn' | 'error' | 'silent' = 'debug') {
  const lines: string[] = [];
  const log = createLogger({ level, sink: (l) => lines.push(l) });
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON object a line with level as a word, an ISO time and msg', () => {
    const { log, lines, parsed } = capture();
    log.info('hello', { chatId: '42' });
    log.warn('careful');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).not.toContain('\n');
    expect(parsed()[0]).toEqual({ level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), msg: 'hello', chatId: '42' });
    expect(parsed()[1]).toMatchObject({ level: 'warn', msg: 'careful' });
    expect(lines[0]).toContain('"msg":"hello"');
  });

  it('redacts secret-looking keys and registered secret values anywhere in a line', () => {
    const { log, lines } = capture();
    log.addSecret('tok-1234567890');
    log.child({ accessToken: 'tok-1234567890' }).info('calling with tok-1234567890', { nested: { sharedSecret: 'x', ok: 'visible' } });
    const out = lines.join('\n');
    expect(out).not.toContain('tok-1234567890');
    expect(out).toContain('visible');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', accessToken: '[redacted]', nested: { sharedSecret: '[redacted]' } });
  });

  it.each(['token', 'botToken', 'client_secret', 'password', 'Authorization', 'x-glip-signature', 'jwtCredential', 'cookie', 'set-cookie', 'code'])(
    'replaces the value under a key named %s, however deep',
    (key) => {
      const { log, parsed } = capture();
      log.info('deep', { a: { b: [{ c: { [key]: 'hunter2-value' } }] } });
      expect(JSON.stringify(parsed()[0])).not.toContain('hunter2-value');
      expect(parsed()[0]).toMatchObject({ a: { b: [{ c: { [key]: '[redacted]' } }] } });
    },
  );

  it('keeps keys that only resemble secret ones, such as errorCode', () => {
    const { log, parsed } = capture();
    log.info('refused', { errorCode: 'CMN-301', status: 429 });
    expect(parsed()[0]).toMatchObject({ errorCode: 'CMN-301', status: 429 });
  });

  it('masks a secret registered after a child was made, in that child’s fields', () => {
    const { log, lines } = capture();
    const child = log.child({ note: 'late-secret-value-123' });
    log.addSecret('late-secret-value-123');
    child.info('x');
    expect(lines[0]).not.toContain('late-secret-value-123');
    log.removeSecret('late-secret-value-123');
    child.info('y');
    expect(lines[1]).toContain('late-secret-value-123');
  });

  const rcToken = Buffer.from('SJC11P01PAS00|AAAVfff8ez12_abcdefghijklmnopqrstuvwxyz0123').toString('base64');
  const jwt = 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiIxMjMiLCJqdGkiOiJhYmMifQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtYW5kLW1vcmU';
  it.each([
    ['a client secret', newClientSecret()],
    ['a shared secret', newSharedSecret()],
    ['a JWT', jwt],
    ['a Bearer token', 'Bearer sometoken-abcdefghijklmnop', 'sometoken-abcdefghijklmnop'],
    ['a RingCentral access token', rcToken],
    ['an OAuth code in a URL', 'https://app.example.com/cb?state=1&code=SplxlOBeZQQYbYS6WxSbIA', 'SplxlOBeZQQYbYS6WxSbIA'],
    ['a token in a form body', 'grant_type=refresh_token&refresh_token=r3fr3sh-t0k3n-value', 'r3fr3sh-t0k3n-value'],
    ['a secret in quoted JSON', 'HTTP 400: {"client_secret":"quoted-secret-value","error":"x"}', 'quoted-secret-value'],
    ['a sign-in link', 'https://bot.example.com/oauth/interaction/abc/signin/Zm9vYmFyYmF6cXV4cXV1eA', 'Zm9vYmFyYmF6cXV4cXV1eA'],
    ['a password in a database URL', 'postgres://registrar:db-pass-word@db.internal/registrar', 'db-pass-word'],
  ])('masks %s nobody registered, in the message, in fields and in error messages', (_what, text, secret = text) => {
    const { log, lines } = capture();
    log.error(`failed: ${text}`, { detail: `said ${text}`, list: [text], err: new Error(`because ${text}`) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(secret);
    expect(lines[0]).toContain('[redacted]');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', msg: expect.stringMatching(/^failed: /) });
  });

  it('reduces an error to name, message, code and cause, with no stack and no attached request', () => {
    const { log, parsed } = capture();
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const err = Object.assign(new Error('post failed', { cause }), { code: 'RC_FAILED', request: { headers: { authorization: 'Bearer abcdefghijklmnop' } } });
    log.error('boom', { err });
    expect(parsed()[0]!.err).toEqual({ name: 'Error', message: 'post failed', code: 'RC_FAILED', cause: { name: 'Error', message: 'socket hang up', code: 'ECONNRESET' } });
  });

  it('survives cycles and very deep objects without writing them unchecked', () => {
    const { log, lines } = capture();
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    let deep: Record<string, unknown> = { token: 'deep-token-value-xyz' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    log.info('odd shapes', { a, deep });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('[circular]');
    expect(lines[0]).not.toContain('deep-token-value-xyz');
  });

  it('drops lines below the level, and writes nothing when silent', () => {
    const warn = capture('warn');
    warn.log.debug('quieter');
    warn.log.info('quiet');
    warn.log.warn('loud');
    warn.log.error('louder');
    expect(warn.parsed().map((l) => l.level)).toEqual(['warn', 'error']);
    const silent = capture('silent');
    silent.log.error('nothing');
    expect(silent.lines).toEqual([]);
  });
});
