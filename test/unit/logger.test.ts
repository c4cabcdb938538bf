import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';

describe('createLogger', () => {
  it('redacts secret-looking keys and registered secret values anywhere in a line', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', sink: (l) => lines.push(l) });
    log.addSecret('tok-1234567890');
    log.child({ accessToken: 'tok-1234567890' }).info('calling with tok-1234567890', { nested: { sharedSecret: 'x', ok: 'visible' } });
    const out = lines.join('\n');
    expect(out).not.toContain('tok-1234567890');
    expect(out).toContain('visible');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', accessToken: '[redacted]', nested: { sharedSecret: '[redacted]' } });
  });

  it('drops lines below the level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', sink: (l) => lines.push(l) });
    log.info('quiet');
    log.warn('loud');
    expect(lines).toHaveLength(1);
  });
});
