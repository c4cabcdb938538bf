import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config.js';
import { startQuietSandbox, type Sandbox } from '../../helpers/sandbox.js';
import { freePort } from '../../helpers/world.js';

let sandbox: Sandbox | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  await sandbox?.close();
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  sandbox = blocker = undefined;
});

const occupy = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer().listen(port, '127.0.0.1', () => resolve(server));
    server.on('error', reject);
  });

describe('the chat page port', () => {
  it('is PORT + 2 by default, and any free port when that one is taken', async () => {
    const port = await freePort();
    blocker = await occupy(port + 2);
    ({ sandbox } = await startQuietSandbox(undefined, { PORT: String(port), SANDBOX_WEB_PORT: '' }));
    const pagePort = Number(new URL(sandbox.page.url).port);
    expect(pagePort).not.toBe(port + 2);
    expect((await fetch(`${sandbox.page.url}/api/session`)).status).toBe(200);
  });

  it('stops start-up naming SANDBOX_WEB_PORT when the port asked for is taken', async () => {
    const taken = await freePort();
    blocker = await occupy(taken);
    const started = startQuietSandbox(undefined, { SANDBOX_WEB_PORT: String(taken) });
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/SANDBOX_WEB_PORT/);
  });
});
