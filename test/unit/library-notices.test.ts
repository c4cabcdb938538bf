import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

describe('library notices', () => {
  it('holds oidc-provider notices until the log is named, then writes them and later ones through it', async () => {
    const passed: unknown[][] = [];
    vi.spyOn(console, 'warn').mockImplementation((...args) => void passed.push(args));
    vi.spyOn(console, 'info').mockImplementation((...args) => void passed.push(args));
    const { routeLibraryNotices } = await import('../../src/lib/library-notices.js');
    console.warn('\x1b[31;1moidc-provider WARNING: Unsupported runtime. Use Node.js v22.x LTS, or a later LTS release.\x1b[0m');
    console.warn('something else', 42);
    const lines: string[] = [];
    routeLibraryNotices(createLogger({ level: 'debug', sink: (l) => lines.push(l) }));
    console.info('oidc-provider NOTICE: default renderError function called, with Bearer abcdefghijklmnopqrst');
    expect(passed).toEqual([['something else', 42]]);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'oidc-provider notice', source: 'oidc-provider', notice: 'Unsupported runtime. Use Node.js v22.x LTS, or a later LTS release.' }),
      expect.objectContaining({ level: 'info', notice: 'default renderError function called, with Bearer [redacted]' }),
    ]);
  });
});
