import express from 'express';
import { hostname } from 'node:os';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { pageGuard } from '../../../src/sandbox/web-chat/guard.js';

function app(bindHost: string) {
  const a = express();
  a.use(pageGuard({ bindHost, port: () => 4702, imageOrigins: [] }));
  a.all('/api/x', (_req, res) => res.json({ ok: true }));
  return a;
}
const get = (bindHost: string, host: string) => request(app(bindHost)).get('/api/x').set('Host', host);

describe('the chat page guard', () => {
  it('on loopback answers loopback names only', async () => {
    for (const host of ['127.0.0.1:4702', 'localhost:4702', '[::1]:4702']) expect((await get('127.0.0.1', host)).status, host).toBe(200);
    for (const host of ['evil.example:4702', '192.168.1.5:4702', '127.0.0.1:80']) expect((await get('127.0.0.1', host)).status, host).toBe(421);
  });

  it('bound wider, answers IP addresses, this machine and SANDBOX_WEB_HOST, but no other name (DNS rebinding)', async () => {
    for (const host of ['192.168.1.5:4702', '[fe80::1]:4702', `${hostname()}:4702`, 'localhost:4702']) expect((await get('0.0.0.0', host)).status, host).toBe(200);
    expect((await get('devbox.internal', 'devbox.internal:4702')).status).toBe(200);
    for (const host of ['evil.example:4702', 'rebound.attacker.test:4702']) expect((await get('0.0.0.0', host)).status, host).toBe(421);
    const write = await request(app('0.0.0.0')).post('/api/x').set('Host', 'evil.example:4702').set('Origin', 'http://evil.example:4702').set('Content-Type', 'application/json').send('{}');
    expect(write.status).toBe(421);
  });
});
