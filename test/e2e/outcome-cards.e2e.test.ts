import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardInputs, submitActions } from '../../src/cards/inspect-card.js';
import { pageClient, startQuietSandbox } from '../helpers/sandbox.js';
import { clippedInCards, collectProblems, launchChromium } from './browser.js';

/**
 * The cards that close a registration, in Chromium at phone widths: the credentials card (secrets
 * shown, awaiting approval, updated after an approval, a partial approval and a rejection, hidden),
 * the admin's request card and each outcome card. Nothing may be cut off, and no two buttons of a
 * card may carry the same label.
 */
let sandbox: Awaited<ReturnType<typeof startQuietSandbox>>['sandbox'];
let browser: Browser;
let page: Page;
let problems: string[];
const REVEAL_SECONDS = 25;

beforeAll(async () => {
  ({ sandbox } = await startQuietSandbox(undefined, { SECRET_REVEAL_SECONDS: String(REVEAL_SECONDS) }));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 500, height: 900 } });
  problems = collectProblems(page);
  await page.goto(`${sandbox.page.url}/`);
  await page.getByText('Live', { exact: true }).waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

type Client = ReturnType<typeof pageClient>;

/** Registers a private REST API app with two scopes that need approval; returns the credentials card's id. */
async function register(alice: Client, dm: string, appName: string) {
  const before = (await alice.posts(dm)).filter((r) => r.card).length;
  await alice.say(dm, 'create app');
  await expect.poll(async () => (await alice.posts(dm)).filter((r) => r.card).length, { timeout: 15_000 }).toBe(before + 1);
  const steps: Record<string, unknown>[] = [
    { appType: 'rest-api' },
    { appName, displayName: appName, primaryContact: 'alice@sandbox.example', promote: 'false', iconUrl: '' },
    { authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' },
    { scopes: 'ReadMessages,ReadCallRecording,A2PSMS', justification: 'We archive call recordings for compliance audits every quarter.' },
    { access: 'private', partners: '' },
    { interactiveMessages: 'false', outboundWebhookUrl: '' },
  ];
  for (const values of steps) await alice.click(dm, 'next', values);
  await alice.click(dm, 'submit');
  return (await alice.card(dm))!.id;
}

/** Labels of the Action.Submit buttons repeated within one rendered card. */
const repeatedLabels = () =>
  page.evaluate(() =>
    [...document.querySelectorAll('#posts .card')].flatMap((card) => {
      const labels = [...card.querySelectorAll('button.ac-pushButton')].map((b) => (b.textContent ?? '').trim());
      return labels.filter((l, i) => labels.indexOf(l) !== i);
    }),
  );

async function open(person: string, chat: string) {
  const [key] = await page.getByLabel('You are').selectOption({ label: person });
  await page.locator(`#chat-list[data-person="${key}"]`).waitFor();
  await page.getByRole('button', { name: chat, exact: true }).click();
  await page.locator('#posts:not([aria-busy])').waitFor();
}

/** Every card of the chat at 360 px and 500 px: nothing clipped, no button label twice in a card. */
async function checkWidths(person: string, chat: string, minCards: number) {
  for (const width of [360, 500]) {
    await page.setViewportSize({ width, height: 900 });
    await open(person, chat);
    await expect.poll(() => page.locator('#posts .card').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(minCards);
    expect(await clippedInCards(page), `${chat} at ${width} px`).toEqual([]);
    expect(await repeatedLabels(), `${chat} at ${width} px`).toEqual([]);
  }
}

/** Saves the first card containing `text` (at 500 px) to test/e2e/latest/, for the docs' pictures. */
async function keep(text: string, name: string) {
  const dir = join(import.meta.dirname, 'latest');
  mkdirSync(dir, { recursive: true });
  // A card redrawn meanwhile (a live update) is replaced in the page: take the new one.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.locator('#posts .card', { hasText: text }).first().screenshot({ path: join(dir, `${name}.png`), timeout: 5000 });
      return;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

const textOf = (body: Record<string, unknown>) => JSON.stringify(body);

describe('credentials, request and outcome cards in Chromium', () => {
  it('fit at 360 and 500 px in every state, and the credentials card follows each decision', async () => {
    const alice = pageClient(sandbox.page.url, 'alice');
    const ada = pageClient(sandbox.page.url, 'ada');
    const dm = (await alice.chats()).find((c) => c.kind === 'direct')!.id;
    const admins = sandbox.meta.adminChatId;

    const decisions: [string, string, Record<string, unknown>][] = [
      ['Archive Approved', 'Approve all', {}],
      ['Archive Partly', 'Approve checked, reject the rest', { approvedScopes: 'ReadCallRecording', reason: 'SMS is not for an archive.' }],
      ['Archive Rejected', 'Reject', { reason: 'Use the reporting API instead.' }],
    ];
    const cards: string[] = [];
    for (const [name] of decisions) cards.push(await register(alice, dm, name));
    for (const id of cards) expect(textOf(sandbox.emulator.card(id)!.body)).toContain('Awaiting approval');
    await expect.poll(async () => (await ada.posts(admins)).filter((p) => p.card).length, { timeout: 15_000 }).toBe(3);
    // Shown, awaiting approval; and the three open request cards.
    await checkWidths('Alice Archer', 'Registrar (direct)', 3);
    await keep('Archive Approved', 'credentials-card');
    await checkWidths('Ada Admin (admin)', 'Registrar admins', 3);
    await keep('Archive Partly', 'admin-request-card');
    // The open requests' buttons are there to compare (three a card), each named for what it does.
    expect(await page.locator('#posts .card button.ac-pushButton').allTextContents()).toEqual(
      Array.from({ length: 3 }, () => ['Approve all', 'Approve checked, reject the rest', 'Reject']).flat(),
    );

    // Decided while the secrets still show: those cards wait for the hider.
    const requestCards = (await ada.posts(admins)).filter((p) => p.card && textOf(p.card.body).includes('Scopes to approve'));
    expect(requestCards.length).toBe(3);
    for (const [i, [, title, values]] of decisions.entries()) {
      const card = requestCards[i]!.card!;
      const button = submitActions(card.body).find((a) => a.title === title)!;
      const res = await ada.call('POST', `/cards/${card.id}/submit`, { as: 'ada', chatId: admins, data: { ...cardInputs(card.body), ...button.data, ...values } });
      expect(res.status).toBeLessThan(300);
    }
    await expect
      .poll(() => cards.map((id) => textOf(sandbox.emulator.card(id)!.body)), { timeout: (REVEAL_SECONDS + 30) * 1000, interval: 1000 })
      .toEqual([
        expect.stringContaining('Approved by an admin'),
        expect.stringContaining('Partly approved by an admin'),
        expect.stringContaining('Rejected by an admin'),
      ]);
    for (const id of cards) expect(textOf(sandbox.emulator.card(id)!.body)).not.toContain('rgr_cs_');
    // Hidden and decided credentials cards plus the three outcome messages; the decided admin cards.
    await checkWidths('Alice Archer', 'Registrar (direct)', 6);
    await keep('Partly approved by an admin', 'credentials-card-decided');
    await checkWidths('Ada Admin (admin)', 'Registrar admins', 3);
    await keep('Partly approved: some scopes rejected', 'admin-outcome-card');
    expect(problems).toEqual([]);
  }, 180_000);
});
