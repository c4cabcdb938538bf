import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageClient, startQuietSandbox } from '../helpers/sandbox.js';
import { clippedInCards, collectProblems, launchChromium } from './browser.js';

/**
 * What time does to the cards, and the dialogs a click can bring, in Chromium at 360 px and 500 px:
 * a form left too long (its closed card), an approval request left undecided (the
 * admin's dialog, the admin's closed card, the requester's outcome and credentials card). Short
 * expiries, so the test waits seconds, not days.
 */
const FLOW_EXPIRE_SECONDS = 12;
const APPROVAL_EXPIRE_SECONDS = 16;
let sandbox: Awaited<ReturnType<typeof startQuietSandbox>>['sandbox'];
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  ({ sandbox } = await startQuietSandbox(undefined, {
    FLOW_EXPIRE_HOURS: String(FLOW_EXPIRE_SECONDS / 3600),
    APPROVAL_EXPIRE_DAYS: String(APPROVAL_EXPIRE_SECONDS / 86_400),
    SECRET_REVEAL_SECONDS: '3',
  }));
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

const shots = join(import.meta.dirname, 'screenshots', 'expiry');
mkdirSync(shots, { recursive: true });

async function open(person: string, chat: string) {
  const [key] = await page.getByLabel('You are').selectOption({ label: person });
  await page.locator(`#chat-list[data-person="${key}"]`).waitFor();
  await page.getByRole('button', { name: chat, exact: true }).click();
  await page.locator('#posts:not([aria-busy])').waitFor();
}

const cardWith = (text: string | RegExp) => page.locator('#posts .card', { hasText: text }).last();
const dialog = () => page.getByRole('dialog');

/** At 360 px and 500 px: nothing clipped in the chat's cards and the open dialog, no label twice in a card. */
async function checkWidths(name: string) {
  for (const width of [360, 500]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(50);
    expect(await clippedInCards(page), `${name} at ${width} px`).toEqual([]);
    const repeated = await page.evaluate(() =>
      [...document.querySelectorAll('#posts .card, dialog[open] .card')].flatMap((card) => {
        const labels = [...card.querySelectorAll('button')].map((b) => (b.textContent ?? '').trim());
        return labels.filter((l, i) => labels.indexOf(l) !== i);
      }),
    );
    expect(repeated, `${name} at ${width} px`).toEqual([]);
    if (await dialog().isVisible()) {
      // The dialog sits inside the viewport, its text wrapped, not cut.
      const box = (await dialog().boundingBox())!;
      expect(box.x, `${name}: dialog at ${width} px`).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, `${name}: dialog at ${width} px`).toBeLessThanOrEqual(width + 0.5);
      expect(await dialog().evaluate((d) => d.scrollWidth <= d.clientWidth + 1), `${name}: dialog text at ${width} px`).toBe(true);
    }
  }
  await page.screenshot({ path: join(shots, `${name.replace(/[^a-z0-9]+/gi, "-")}.png`) });
}

describe('expired forms and requests, and their dialogs, in Chromium', () => {
  it('a form left too long: the card says it expired, by itself, with nothing left to click', async () => {
    const alice = pageClient(sandbox.page.url, 'alice');
    const dm = (await alice.chats()).find((c) => c.kind === 'direct')!.id;
    await open('Alice Archer', 'Registrar (direct)');
    await alice.say(dm, 'create app');
    await cardWith('Step 1 of 7').waitFor({ timeout: 15_000 });
    await checkWidths('form open');
    // The housekeeping sweep closes it; the page shows the change live.
    await cardWith('This form expired').waitFor({ timeout: (FLOW_EXPIRE_SECONDS + 40) * 1000 });
    expect(await cardWith('This form expired').textContent()).toMatch(/nothing was registered/i);
    expect(await cardWith('This form expired').getByRole('button').count()).toBe(0);
    await checkWidths('form expired');
  }, 90_000);

  it('a request left undecided: the admin is told it expired, and the requester gets the next step', async () => {
    const alice = pageClient(sandbox.page.url, 'alice');
    const ada = pageClient(sandbox.page.url, 'ada');
    const dm = (await alice.chats()).find((c) => c.kind === 'direct')!.id;
    const admins = sandbox.meta.adminChatId;
    const before = (await ada.posts(admins)).filter((p) => p.card).length;
    await alice.say(dm, 'create app');
    await expect.poll(async () => (await alice.card(dm))?.body && JSON.stringify((await alice.card(dm))!.body).includes('Step 1 of 7'), { timeout: 15_000 }).toBe(true);
    for (const values of [
      { appType: 'rest-api' },
      { appName: 'Archive Waiting', displayName: 'Archive Waiting', primaryContact: 'alice@sandbox.example', promote: 'false', iconUrl: '' },
      { authMethod: 'jwt' },
      { scopes: 'ReadMessages', approvalScopes: 'ReadCallRecording' },
      { justification: 'We archive call recordings for compliance audits every quarter.' },
      { access: 'private' },
      { interactiveMessages: 'false' },
    ]) await alice.click(dm, 'next', values);
    await alice.click(dm, 'submit');
    await expect.poll(async () => (await ada.posts(admins)).filter((p) => p.card).length, { timeout: 15_000 }).toBe(before + 1);

    await open('Ada Admin (admin)', 'Registrar admins');
    const request = cardWith('Archive Waiting');
    await request.getByRole('button', { name: 'Approve all' }).waitFor();
    await page.waitForTimeout((APPROVAL_EXPIRE_SECONDS + 2) * 1000);
    await request.getByRole('button', { name: 'Approve all' }).click();
    await dialog().waitFor({ timeout: 15_000 });
    expect(await dialog().getByRole('heading').textContent()).toBe('This request expired');
    await checkWidths('request expired: admin dialog');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog().isVisible()).toBe(false);
    await expect.poll(() => cardWith('Archive Waiting').textContent(), { timeout: 15_000 }).toMatch(/Request expired/);
    expect(await cardWith('Archive Waiting').getByRole('button').count()).toBe(0);
    await checkWidths('request expired: admin card');

    await open('Alice Archer', 'Registrar (direct)');
    await expect.poll(() => page.locator('#posts').textContent(), { timeout: 15_000 }).toMatch(/Your scope request for Archive Waiting expired/);
    // The credentials card (secrets hidden by now) no longer says "Awaiting approval".
    await expect.poll(() => cardWith('App registered: Archive Waiting').textContent(), { timeout: 20_000 }).not.toMatch(/Awaiting approval/);
    expect(await cardWith('App registered: Archive Waiting').textContent()).toMatch(/ReadCallRecording/);
    await checkWidths('request expired: requester');
    expect(problems).toEqual([]);
  }, 90_000);
});
