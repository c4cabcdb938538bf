import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/emulator/rate-limit.js';
import { createRateGate, type GateTimers, type RateGateOptions } from '../../../src/platform/rate-gate.js';
import type { RateGroup } from '../../../src/platform/rate-groups.js';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock and timers that move only when told to. */
function fakeTime() {
  let t = 0;
  let nextId = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  let fired = 0;
  const timers: GateTimers = {
    set(fn, ms) {
      pending.set(++nextId, { at: t + ms, fn });
      return nextId;
    },
    clear: (handle) => void pending.delete(handle as number),
  };
  return {
    now: () => t,
    timers,
    pending: () => pending.size,
    fired: () => fired,
    /** Moves time by `ms`, firing due timers in order and letting promises settle after each. */
    async advance(ms: number) {
      const end = t + ms;
      await flush();
      for (;;) {
        const due = [...pending].filter(([, p]) => p.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        t = due[1].at;
        fired += 1;
        due[1].fn();
        await flush();
      }
      t = end;
      await flush();
    },
  };
}

const ok = (headers: Record<string, string> = {}) => new Response('{}', { status: 200, headers });
/** What the SDK throws for a non-2xx answer: an Error carrying the Response. */
const refused = (status: number, headers: Record<string, string> = {}) => Object.assign(new Error(`HTTP ${status}`), { response: new Response('{}', { status, headers }) });

function setup(options: Omit<RateGateOptions, 'now' | 'timers'> = {}) {
  const time = fakeTime();
  const gate = createRateGate({ ...options, now: time.now, timers: time.timers });
  const sent: { label: string; group: RateGroup; at: number }[] = [];
  /** Queues a call whose send records itself and answers with `answer()`. */
  const call = (label: string, group: RateGroup = 'Medium', answer: () => Response | Error = () => ok()) =>
    gate.run(group, async () => {
      sent.push({ label, group, at: time.now() });
      const a = answer();
      if (a instanceof Error) throw a;
      return a;
    });
  return { time, gate, sent, call };
}

describe('the rate gate', () => {
  it('never lets more than the budget out in any window, and sends in the order calls came', async () => {
    const { time, sent, call } = setup({ limits: { Medium: 3 }, windowMs: 1000 });
    const results = Array.from({ length: 7 }, (_, i) => call(`c${i}`));
    await time.advance(5000);
    await Promise.all(results);

    expect(sent.map((s) => s.label)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    expect(sent.map((s) => s.at)).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
    for (const s of sent) expect(sent.filter((o) => o.at > s.at - 1000 && o.at <= s.at).length).toBeLessThanOrEqual(3);
    // Woken once per window that frees room, not by polling.
    expect(time.fired()).toBe(2);
    expect(time.pending()).toBe(0);
  });

  it('sends one request at a time until RingCentral has answered once', async () => {
    const { time, sent, gate } = setup();
    let answer: (r: Response) => void = () => undefined;
    const first = gate.run('Light', () => new Promise<Response>((resolve) => (answer = resolve)));
    const second = gate.run('Light', async () => {
      sent.push({ label: 'second', group: 'Light', at: time.now() });
      return ok();
    });
    await time.advance(10);
    expect(sent).toEqual([]);
    answer(ok());
    await Promise.all([first, second]);
    expect(sent.map((s) => s.label)).toEqual(['second']);
  });

  it('gives a slot back a window after the answer came, not after the request left', async () => {
    const { time, gate, sent, call } = setup({ limits: { Heavy: 1 }, windowMs: 1000 });
    let answer: (r: Response) => void = () => undefined;
    const slow = gate.run('Heavy', () => new Promise<Response>((resolve) => (answer = resolve)));
    const next = call('next', 'Heavy');
    await time.advance(400);
    answer(ok());
    await time.advance(999);
    expect(sent).toEqual([]);
    await time.advance(1);
    await Promise.all([slow, next]);
    expect(sent).toEqual([{ label: 'next', group: 'Heavy', at: 1400 }]);
  });

  it('pauses the whole group for Retry-After after a 429, sends what queued meanwhile after it, and leaves other groups alone', async () => {
    const limited: RateGroup[] = [];
    const { time, sent, call } = setup({ onRateLimited: (g) => limited.push(g) });
    const first = call('first', 'Medium', () => refused(429, { 'Retry-After': '5' })).catch((e: unknown) => e);
    const queued = [call('a'), call('b'), call('c')];
    await time.advance(0);
    expect(limited).toEqual(['Medium']);
    expect(await first).toBeInstanceOf(Error);

    const light = call('light', 'Light');
    await time.advance(4999);
    expect(sent.map((s) => s.label)).toEqual(['first', 'light']);
    await time.advance(1);
    await Promise.all([...queued, light]);
    expect(sent.filter((s) => s.group === 'Medium').map((s) => [s.label, s.at])).toEqual([
      ['first', 0],
      ['a', 5000],
      ['b', 5000],
      ['c', 5000],
    ]);
  });

  it('waits 30 s after a 429 without Retry-After', async () => {
    const { time, sent, call } = setup();
    await call('first', 'Auth', () => refused(429)).catch(() => undefined);
    const next = call('next', 'Auth');
    await time.advance(29_999);
    expect(sent.map((s) => s.label)).toEqual(['first']);
    await time.advance(1);
    await next;
    expect(sent.map((s) => [s.label, s.at])).toEqual([
      ['first', 0],
      ['next', 30_000],
    ]);
  });

  it('counts what RingCentral says was spent by others (X-Rate-Limit-Remaining) and takes its limit and window', async () => {
    const { time, sent, call, gate } = setup();
    // Another instance spent 39 of 40 in this window: one answer says so.
    await call('first', 'Medium', () => ok({ 'X-Rate-Limit-Group': 'medium', 'X-Rate-Limit-Limit': '40', 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Window': '2' }));
    expect(gate.state('Medium')).toMatchObject({ inWindow: 40, limit: 40, windowMs: 2000 });
    const next = call('next');
    await time.advance(1999);
    expect(sent.map((s) => s.label)).toEqual(['first']);
    await time.advance(1);
    await next;
    expect(sent.map((s) => [s.label, s.at])).toEqual([
      ['first', 0],
      ['next', 2000],
    ]);
  });

  it('in front of an enforcing RingCentral, a 429 caused by someone else is the only one: nothing is sent during the penalty, so it is not restarted', async () => {
    const time = fakeTime();
    const platform = new RateLimiter({ limits: { Medium: 3 }, windowSeconds: 1, penaltySeconds: 60, now: time.now });
    const gate = createRateGate({ now: time.now, timers: time.timers });
    const sentAt: number[] = [];
    const send = async () => {
      sentAt.push(time.now());
      const verdict = platform.check('bot token', 'Medium');
      const headers: Record<string, string> = { 'X-Rate-Limit-Group': 'medium', 'X-Rate-Limit-Limit': '3', 'X-Rate-Limit-Window': '1' };
      if (!verdict.allowed) throw refused(429, { ...headers, 'X-Rate-Limit-Remaining': '0', 'Retry-After': String(verdict.retryAfterSec) });
      return ok({ ...headers, 'X-Rate-Limit-Remaining': String(verdict.remaining) });
    };
    // Another app under the same user spends the budget first.
    for (let i = 0; i < 3; i++) platform.check('bot token', 'Medium');

    const first = gate.run('Medium', send).catch((e: unknown) => e);
    const rest = Array.from({ length: 20 }, () => gate.run('Medium', send));
    await time.advance(59_999);
    expect(await first).toBeInstanceOf(Error);
    expect(sentAt).toEqual([0]);
    await time.advance(10_000);
    await Promise.all(rest);

    expect(platform.rejections().Medium).toBe(1);
    expect(sentAt.filter((t) => t >= 60_000)).toHaveLength(20);
    for (const t of sentAt) expect(sentAt.filter((o) => o > t - 1000 && o <= t).length).toBeLessThanOrEqual(3);
  });

  it('refuses waiting and later calls once closed, and leaves no timer behind', async () => {
    const { time, gate, call } = setup({ limits: { Heavy: 1 }, windowMs: 60_000 });
    await call('first', 'Heavy');
    const waiting = call('waiting', 'Heavy').catch((e: unknown) => e);
    await time.advance(10);
    expect(time.pending()).toBe(1);
    gate.close();
    expect(await waiting).toMatchObject({ code: 'RATE_GATE_CLOSED' });
    await expect(call('late', 'Heavy')).rejects.toMatchObject({ code: 'RATE_GATE_CLOSED' });
    expect(time.pending()).toBe(0);
  });
});
