import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/approvals/audit-log.js';
import { click, dialogTitle, register } from '../../helpers/approvals.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a decision whose history entry is saved but whose "written once" marker is not', () => {
  it('still shows the decision once in the history after the sweep finishes it', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], faultyStore: true }));
    await register(w);
    // The disk fills up right after the history entry itself was written (only the marker write fails).
    const healed = w.faults.add((name) => name === 'audit-keys');
    const answer = await click(w, w.dave, 'Approve all');
    expect(dialogTitle(answer) ?? null).toBeNull();
    healed();
    await w.bot.sweep();
    await w.bot.sweep();
    const entries = await w.bot.services.store.collection<AuditEntry>('audit').list();
    expect(entries.filter((e) => e.event === 'approved')).toHaveLength(1);
  });
});
