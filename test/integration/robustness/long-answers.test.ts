import { newClientId } from '../../../src/registry/credentials.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../src/approvals/approval-request.js';
import type { AuditEntry } from '../../../src/approvals/audit-log.js';
import type { Person } from '../../../src/emulator/model.js';
import { startWorld, type World } from '../../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const POST_LIMIT = 10_000; // contract 4.1
const LONG_NAME = 'Quarterly Compliance Archive Exporter for Regional Sales Offices'; // 64 characters
const SCOPES = ['ReadCallRecording', 'A2PSMS', 'ReadCallLog'];
const appName = (i: number) => `Archive Exporter ${i} for the Regional Sales Offices and Partners`;

/** An admin world whose store holds `count` open requests from three people (seeded: the UI would take minutes). */
async function worldWithRequests(count: number) {
  const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
  const requesters = [w.alice, w.bob, w.carol];
  const requests = w.bot.services.store.collection<ApprovalRequest>('approvals');
  const start = w.clock.now() - count * 60_000;
  for (let i = 0; i < count; i++) {
    const at = start + i * 60_000;
    await requests.put(`req-${i}`, {
      id: `req-${i}`, accountId: w.account.id, clientId: `client-${i}`, appName: appName(i), appType: 'rest-api',
      requesterId: requesters[i % 3]!.id, scopes: SCOPES, justification: 'Seeded for a paging test of the pending command.',
      status: 'open', requestedAt: at, raisedAt: at, adminChatId: w.adminChatId, cardId: null, decision: null,
    });
  }
  return w;
}

/** Asks the bot in the admin chat; returns its answer and how many person lookups it made. */
async function ask(w: World, text: string) {
  const before = w.emulator.requests.length;
  const [reply] = await w.say(w.dave, w.adminChatId, `![:Person](${w.botId}) ${text}`);
  const lookups = w.emulator.requests.slice(before).filter((r) => /\/persons\//.test(r.path)).length;
  return { text: reply!.text ?? '', lookups };
}

describe('long answers in the admin chat', () => {
  it('pages pending 20 at a time, every post under the limit, looking each person up once', async () => {
    const w = await worldWithRequests(120);
    const first = await ask(w, 'pending');
    expect(first.text.length).toBeLessThan(POST_LIMIT);
    const lines = first.text.split('\n');
    expect(lines[0]).toBe('120 approval requests waiting, oldest first (1–20, page 1 of 6):');
    expect(lines.slice(1, 21).map((l) => l.split('.')[0])).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
    expect(lines[1]).toMatch(/^1\. \*\*Archive Exporter 0 for the Regional Sales Offices and Partners\*\* by Alice Archer: ReadCallRecording, A2PSMS, ReadCallLog \(asked /);
    expect(lines.at(-1)).toBe('Say **pending 2** for more.');
    expect(first.lookups).toBeLessThanOrEqual(3);

    const last = await ask(w, 'pending 6');
    expect(last.text.length).toBeLessThan(POST_LIMIT);
    expect(last.text.split('\n')[0]).toBe('120 approval requests waiting, oldest first (101–120, page 6 of 6):');
    expect(last.text).toMatch(/\n120\. \*\*Archive Exporter 119 for the Regional Sales Offices and Partners\*\* by Carol Cole/);
    expect(last.text).not.toMatch(/for more/);
    expect(last.lookups).toBeLessThanOrEqual(3);

    expect((await ask(w, 'pending 7')).text).toBe('There is no page 7: the 120 fit on 6 pages.');
    expect((await ask(w, 'pending soon')).text).toMatch(/\*\*pending 2\*\*/);
  });

  it('looks up only the people of the page shown', async () => {
    const w = await worldWithRequests(25);
    const second = await ask(w, 'pending 2');
    expect(second.text.split('\n').slice(1)).toHaveLength(5);
    // Requests 21..25 were made by carol, alice, bob, carol, alice: three people, each once.
    expect(second.lookups).toBe(3);
  });

  it('pages the audit history of an app, by client ID or by name', async () => {
    const w = (world = await startWorld({ adminChat: ['dave', 'erin'] }));
    const { record } = await w.bot.registry.create({
      draft: { appType: 'rest-api', appName: LONG_NAME, displayName: 'Exporter', primaryContact: 'alice@acme.example', promote: false, authMethod: 'jwt', scopes: ['ReadMessages'] },
      accountId: w.account.id, ownerId: w.alice.id, now: w.clock.now(), clientId: newClientId(),
    });
    const entries = w.bot.services.store.collection<AuditEntry>('audit');
    const actors: Person[] = [w.alice, w.dave, w.erin, w.bob];
    for (let i = 1; i <= 120; i++) {
      const id = String(i).padStart(12, '0');
      await entries.put(id, {
        id, at: w.clock.now() + i, event: i % 2 ? 'requested' : 'rejected', clientId: record.clientId, appName: LONG_NAME, requestId: `req-${i}`,
        actorId: actors[i % 4]!.id, scopes: SCOPES, rejected: i % 2 ? [] : SCOPES, reason: i % 2 ? null : 'x'.repeat(1000),
      });
    }
    const first = await ask(w, `audit ${record.clientId}`);
    expect(first.text.length).toBeLessThan(POST_LIMIT);
    expect(first.text.split('\n')[0]).toBe(`Approval history of **${LONG_NAME}** (${record.clientId}) (1–20, page 1 of 6):`);
    expect(first.text.split('\n').at(-1)).toBe(`Say **audit ${record.clientId} page 2** for more.`);
    expect(first.text).toMatch(/\(reason: x{199}…\)/);
    expect(first.lookups).toBeLessThanOrEqual(4);

    const byName = await ask(w, `audit ${LONG_NAME.toLowerCase()} page 6`);
    expect(byName.text.length).toBeLessThan(POST_LIMIT);
    expect(byName.text.split('\n')[0]).toMatch(/\(101–120, page 6 of 6\):$/);
    expect(byName.lookups).toBeLessThanOrEqual(4);
  });
});
