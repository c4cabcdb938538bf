import { afterEach, describe, expect, it } from 'vitest';
import { click, dialogTitle, latestAdminCard, register, scopesOf } from '../../helpers/approvals.js';
import { submitActions } from '../../helpers/flow.js';
import { cardText, startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('an approval whose app update cannot be saved at once', () => {
  it('is not reported as unsaved, and is finished once the disk is back: scopes granted, card updated, requester told', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], faultyStore: true }));
    const { app, secret, dm } = await register(w);
    // The disk fills up just as the app record is to be changed (the decision's own write goes through).
    const healed = w.faults.add((name) => name === 'apps');
    const first = await click(w, w.dave, 'Approve all');
    expect(dialogTitle(first) ?? null).toBeNull(); // decided: nothing to take back
    const second = await click(w, w.dave, 'Approve all');
    expect(dialogTitle(second)).toBe('Already decided');
    healed();
    await w.bot.sweep();
    const { scopes, pendingScopes } = await scopesOf(w, app.clientId, secret);
    expect({ scopes: [...scopes].sort(), pendingScopes }).toEqual({ scopes: ['A2PSMS', 'ReadCallLog', 'ReadCallRecording'], pendingScopes: [] });
    expect(submitActions(latestAdminCard(w).body)).toEqual([]);
    expect(cardText(latestAdminCard(w).body)).toContain('Approved: every scope granted');
    expect(cardText(latestAdminCard(w).body)).toMatch(/Decided: .* by Dave Admin/);
    await w.emulator.waitFor(() => w.botCards(dm.id).some((c) => /your scope request/.test(cardText(c.body))), { message: 'the requester was never told' });
    // And the history says it once, however often the sweep finished it.
    await w.bot.sweep();
    const history = (await w.bot.services.store.collection<{ event: string; requestId: string }>('audit').list()).filter((e) => e.event === 'approved');
    expect(history).toHaveLength(1);
  });

  it('finishes an expiry the same way', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], faultyStore: true, env: { APPROVAL_EXPIRE_DAYS: '1' } }));
    const { app, secret } = await register(w);
    const healed = w.faults.add((name) => name === 'apps');
    w.clock.advance(25 * 3600_000);
    await w.bot.sweep();
    expect((await scopesOf(w, app.clientId, secret)).pendingScopes.length).toBeGreaterThan(0); // not applied yet
    healed();
    await w.bot.sweep();
    expect((await scopesOf(w, app.clientId, secret)).pendingScopes).toEqual([]);
    expect(cardText(latestAdminCard(w).body)).toContain('Request expired');
  });
});
