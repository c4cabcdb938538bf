import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../src/approvals/approval-request.js';
import type { Flow } from '../../../src/conversation/flow.js';
import { adminCards, click, register } from '../../helpers/approvals.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a registration finished by the sweep after its request was already rejected (a full disk in between)', () => {
  it('does not put the rejected scopes in front of the admins again', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'], faultyStore: true }));
    // The disk fills up as the registration closes its form: the request is filed, the flow stays "registering".
    const healFlows = w.faults.add((name, _id, v) => name === 'flows' && (v as Flow | undefined)?.status === 'submitted');
    await register(w);
    expect(adminCards(w)).toHaveLength(1);
    // Still full when Dave rejects: the decision is stored, its effect on the app is not yet.
    const healApps = w.faults.add((name) => name === 'apps');
    await click(w, w.dave, 'Reject', { reason: 'Recordings are not for this team.' });
    healFlows();
    healApps();
    await w.bot.sweep();
    const requests = await w.bot.services.store.collection<ApprovalRequest>('approvals').list();
    expect(requests.map((r) => r.status)).toEqual(['decided']);
    expect(adminCards(w)).toHaveLength(1);
  });
});
