import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/lib/logger.js';

function capture() {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', sink: (l) => lines.push(l) });
  return { log, lines };
}

describe('review13: what the log writes', () => {
  it('masks a registered secret inside the message text itself', () => {
    const { log, lines } = capture();
    log.addSecret('s3cr3t-value-registered');
    log.child({ a: 1 }).warn('calling with s3cr3t-value-registered now');
    expect(lines.join('\n')).not.toContain('s3cr3t-value-registered');
  });

  it('masks secret shapes in the message text and in fields under innocent names', () => {
    const { log, lines } = capture();
    log.info('client secret rgr_cs_abcdefghijklmnopqrstuvwxyz0123456789AB issued', { note: 'Bearer abcdefghijklmnop', url: 'https://x.example/cb?code=abcdef123456&state=1' });
    const out = lines.join('\n');
    expect(out).not.toContain('rgr_cs_abcdefghijklmnop');
    expect(out).not.toContain('abcdefghijklmnop"');
    expect(out).not.toContain('abcdef123456');
  });

  it('masks a secret inside an error of an AggregateError and an error stored under another key', () => {
    const { log, lines } = capture();
    log.addSecret('another-registered-secret');
    log.error('failed', { err: new AggregateError([new Error('token another-registered-secret refused')], 'several failed'), e2: new Error('x another-registered-secret') });
    expect(lines.join('\n')).not.toContain('another-registered-secret');
  });

  it('masks a registered secret used as a field name', () => {
    const { log, lines } = capture();
    log.addSecret('key-named-secret-value');
    log.info('map dump', { byToken: { 'key-named-secret-value': 1 }, ids: { 'key-named-secret-value': 'x' } });
    expect(lines.join('\n')).not.toContain('key-named-secret-value');
  });
});
