import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('the sandbox chat page settings', () => {
  it('default to loopback, the port left to the sandbox (PORT + 2 when free)', () => {
    expect(loadConfig({ PORT: '4000' })).toMatchObject({ sandboxWebHost: '127.0.0.1', sandboxWebPort: undefined });
  });

  it('take SANDBOX_WEB_HOST and SANDBOX_WEB_PORT, 0 meaning any free port', () => {
    expect(loadConfig({ SANDBOX_WEB_HOST: '0.0.0.0', SANDBOX_WEB_PORT: '0' })).toMatchObject({ sandboxWebHost: '0.0.0.0', sandboxWebPort: 0 });
  });

  it('refuse a malformed host or port, naming the variable', () => {
    expect(() => loadConfig({ SANDBOX_WEB_HOST: 'evil host/' })).toThrow(/SANDBOX_WEB_HOST/);
    expect(() => loadConfig({ SANDBOX_WEB_PORT: '70000' })).toThrow(/SANDBOX_WEB_PORT/);
  });
});
