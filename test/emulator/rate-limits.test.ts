import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from './helpers.js';

let world: World;

afterEach(async () => {
  await world.close();
});

const SELF = '/restapi/v1.0/account/~/extension/~';

/** A clock for the rate windows only, moved by hand. */
function rateClock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('rate-limit enforcement', () => {
  it('answers 429 CMN-301 with Retry-After 60 past the documented Light budget of 50 a minute, counting down Remaining before', async () => {
    world = await startWorld();
    const answers: Response[] = [];
    for (let i = 0; i < 51; i++) answers.push(await world.api(SELF));

    expect(answers.slice(0, 50).every((r) => r.status === 200)).toBe(true);
    expect(answers[0]?.headers.get('x-rate-limit-remaining')).toBe('49');
    expect(answers[49]?.headers.get('x-rate-limit-remaining')).toBe('0');
    const refused = answers[50] as Response;
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.headers.get('x-rate-limit-group')).toBe('light');
    expect(refused.headers.get('x-rate-limit-limit')).toBe('50');
    expect(refused.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(refused.headers.get('x-rate-limit-window')).toBe('60');
    expect(await refused.json()).toEqual({
      errorCode: 'CMN-301',
      message: 'Request rate exceeded',
      errors: [{ errorCode: 'CMN-301', message: 'Request rate exceeded' }],
    });
    expect(world.emulator.rateLimitRejections()).toEqual({ Light: 1, Medium: 0, Heavy: 0, Auth: 0 });
  });

  it('restarts the penalty with every request made during it, and lets the first one after it through', async () => {
    const clock = rateClock();
    world = await startWorld({ rateLimits: { limits: { Light: 2 }, now: clock.now } });
    await world.api(SELF);
    await world.api(SELF);
    expect((await world.api(SELF)).status).toBe(429); // the penalty runs until +60 s

    clock.advance(30_000);
    expect((await world.api(SELF)).status).toBe(429); // during it: runs again until +90 s
    clock.advance(31_000);
    const stillPenalised = await world.api(SELF); // past the first end, inside the restarted one: until +121 s
    expect(stillPenalised.status).toBe(429);
    expect(stillPenalised.headers.get('retry-after')).toBe('60');
    clock.advance(59_999);
    expect((await world.api(SELF)).status).toBe(429); // until +180.999 s
    clock.advance(60_000);
    const after = await world.api(SELF);
    expect(after.status).toBe(200);
    expect(after.headers.get('x-rate-limit-remaining')).toBe('1');
    expect(world.emulator.rateLimitRejections().Light).toBe(4);
  });

  it('lets a penalty that nobody disturbs end after 60 s', async () => {
    const clock = rateClock();
    world = await startWorld({ rateLimits: { limits: { Light: 1 }, now: clock.now } });
    await world.api(SELF);
    expect((await world.api(SELF)).status).toBe(429);
    clock.advance(60_000);
    expect((await world.api(SELF)).status).toBe(200);
  });

  it('keeps groups and callers apart: a spent Medium budget leaves Light and other tokens alone', async () => {
    const clock = rateClock();
    world = await startWorld({ rateLimits: { limits: { Medium: 1 }, now: clock.now } });
    const chat = await world.emulator.createChat({ accountId: world.accountId, type: 'Group', members: [world.alice.id, world.botId] });
    const post = () => world.api(`/team-messaging/v1/chats/${chat.id}/posts`, { body: { text: 'hi' } });
    expect((await post()).status).toBe(201);
    expect((await post()).status).toBe(429);

    expect((await world.api(`/team-messaging/v1/chats/${chat.id}`)).status).toBe(200); // Light
    const unknownToken = await world.api(`/team-messaging/v1/chats/${chat.id}/posts`, { body: { text: 'hi' }, token: 'someone-else' });
    expect(unknownToken.status).toBe(401); // counted apart: refused for its token, not for the bot's penalty
  });

  it('only counts and sets headers when enforcement is off', async () => {
    world = await startWorld({ rateLimits: { enforce: false, limits: { Light: 2 } } });
    const answers = [await world.api(SELF), await world.api(SELF), await world.api(SELF)];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(answers[2]?.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(world.emulator.rateLimitRejections().Light).toBe(0);
  });

  it('keeps injected 429 faults apart: they neither count in the window nor start a penalty', async () => {
    world = await startWorld({ rateLimits: { limits: { Light: 2 }, windowSeconds: 5 } });
    world.emulator.failNext(3, { status: 429, retryAfter: 2 });
    const faults = [await world.api(SELF), await world.api(SELF), await world.api(SELF)];
    expect(faults.map((r) => r.status)).toEqual([429, 429, 429]);
    expect(faults[0]?.headers.get('x-rate-limit-limit')).toBe('2');
    expect(faults[0]?.headers.get('x-rate-limit-window')).toBe('5');
    const real = [await world.api(SELF), await world.api(SELF)];
    expect(real.map((r) => r.status)).toEqual([200, 200]);
    expect(world.emulator.rateLimitRejections().Light).toBe(0);
  });

  it('forgets windows and penalties on resetRateLimits()', async () => {
    world = await startWorld({ rateLimits: { limits: { Light: 1 } } });
    await world.api(SELF);
    expect((await world.api(SELF)).status).toBe(429);
    world.emulator.resetRateLimits();
    expect((await world.api(SELF)).status).toBe(200);
    expect(world.emulator.rateLimitRejections().Light).toBe(0);
  });
});
