import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { metricsRoute } from '../../src/http/metrics-route.js';
import { createMetrics, rateGroupOf } from '../../src/metrics/metrics.js';

function app(token: string | undefined, openWithoutToken: boolean) {
  const metrics = createMetrics();
  metrics.flowsStarted.inc({ flow: 'registration' });
  return express().use(metricsRoute({ metrics, token, openWithoutToken }));
}

describe('metricsRoute', () => {
  it('serves the sandbox without a token', async () => {
    const res = await request(app(undefined, true)).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('registrar_flows_started_total{flow="registration"} 1');
  });

  it('is not served elsewhere without a token', async () => {
    const res = await request(app(undefined, false)).get('/metrics');
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('registrar_');
  });

  it('asks for the token even in the sandbox once one is set', async () => {
    const a = app('scrape-token-0123456789', true);
    expect((await request(a).get('/metrics')).status).toBe(401);
    expect((await request(a).get('/metrics').set('Authorization', 'Bearer scrape-token-012345678')).status).toBe(401);
    expect((await request(a).get('/metrics').set('Authorization', 'bearer scrape-token-0123456789')).status).toBe(200);
  });
});

describe('rateGroupOf', () => {
  it('takes the group RingCentral names, in any case, and falls back on the call’s own otherwise', () => {
    expect(rateGroupOf('heavy', 'light')).toBe('heavy');
    expect(rateGroupOf(' Auth ', 'medium')).toBe('auth');
    expect(rateGroupOf(null, 'medium')).toBe('medium');
    expect(rateGroupOf('constructor', 'light')).toBe('light');
  });
});
