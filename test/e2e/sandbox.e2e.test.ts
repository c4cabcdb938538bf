import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clippedInCards, collectProblems, launchChromium, screenshotter, startTestSandbox } from './browser.js';

/**
 * The sandbox in Chromium, as a person uses it: Alice registers a REST API app asking for a scope
 * that needs approval, Ada approves it in the admin chat, Alice sees her credentials and the
 * approval; then every chat is checked at phone width for cards that do not fit.
 */
let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
let browser: Browser;
let page: Page;
let problems: string[];
let shot: (name: string) => Promise<string>;

const APP = 'Recording Archive';

beforeAll(async () => {
  sandbox = await startTestSandbox();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 860 } });
  problems = collectProblems(page);
  shot = screenshotter(page);
  await page.goto(`${sandbox.page.url}/`);
  await page.getByText('Live', { exact: true }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

const latestCard = () => page.locator('.post.from-bot .card').last();
const button = (name: string) => latestCard().getByRole('button', { name, exact: true });
const waitForText = (text: string | RegExp) => latestCard().getByText(text).first().waitFor({ timeout: 15_000 });

/** Form controls with no accessible name (no label, aria-label or aria-labelledby). */
const unlabelledControls = () =>
  page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => (el as HTMLInputElement).labels?.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')?.trim())
      .map((el) => el.id || el.outerHTML.slice(0, 80)),
  );

type Person = 'Alice Archer' | 'Bob Baker' | 'Ada Admin';

/** Chooses who the page is, and waits until the chat list is theirs. */
async function bePerson(person: Person) {
  const [key] = await page.getByLabel('You are').selectOption({ label: person === 'Ada Admin' ? `${person} (admin)` : person });
  await page.locator(`#chat-list[data-person="${key}"]`).waitFor();
}

async function as(person: Person, chat: string) {
  await bePerson(person);
  await page.getByRole('button', { name: chat, exact: true }).click();
  await expect.poll(() => page.locator('#chat-title').textContent()).toBe(chat.replace(' (direct)', ''));
  await page.locator('#posts:not([aria-busy])').waitFor(); // this chat's posts are shown
}

describe('the sandbox chat page in Chromium', () => {
  it('is usable from the keyboard: a skip link to the message box, a visible focus ring, labelled controls', async () => {
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the message box');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('composer-text');
    const ring = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle + ' ' + getComputedStyle(document.activeElement!).outlineWidth);
    expect(ring).toMatch(/^solid [1-9]/);
    expect(await unlabelledControls()).toEqual([]);
  });

  it('walks Alice through registering a REST API app, with the card checking its inputs', async () => {
    await page.getByLabel('Message', { exact: true }).fill('create app');
    await page.keyboard.press('Enter');
    await waitForText('Step 1 of 7: App type');
    await shot('create-app');

    await page.getByRole('radio', { name: 'REST API app' }).check();
    await button('Next').click();
    await waitForText(/Step 2 of 7/);
    // Required and empty: the card's own validation stops the click and says why.
    await button('Next').click();
    await expect.poll(() => latestCard().getByText('Enter an app name of up to 64 characters.').isVisible()).toBe(true);
    await shot('validation');
    await latestCard().getByLabel('App name').fill(APP);
    await latestCard().getByLabel('Display name').fill(APP);
    await latestCard().getByLabel('Primary contact email').fill('alice@sandbox.example');
    await button('Next').click();

    await waitForText(/Step 3 of 7/);
    await page.getByRole('radio', { name: 'JWT auth flow' }).check();
    await button('Next').click();

    await waitForText(/Step 4 of 7/);
    await latestCard().getByRole('checkbox', { name: /ReadMessages/ }).check();
    await latestCard().getByRole('checkbox', { name: /ReadCallRecording/ }).check();
    await shot('scopes');
    await button('Next').click();
    // A scope that needs approval: the same step asks why, on a card of its own.
    await latestCard().getByLabel('Justification').waitFor();
    await latestCard().getByLabel('Justification').fill('We archive call recordings for compliance audits every quarter.');
    await button('Next').click();

    await waitForText(/Step 5 of 7/);
    await page.getByRole('radio', { name: /Private: only/ }).check();
    await button('Next').click();
    await waitForText(/Step 6 of 7/);
    // From the keyboard: the card that replaces this one keeps the person's place in it.
    await button('Next').focus();
    await page.keyboard.press('Enter');
    await waitForText(/Review/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('#posts') !== null && document.activeElement?.tagName !== 'DIV')).toBe(true);
    await shot('review');
    await button('Register app').click();

    await waitForText(`App registered: ${APP}`);
    const card = latestCard();
    await expect.poll(() => card.textContent()).toMatch(/rgr_cs_[0-9A-Za-z]{38}/);
    await expect.poll(() => card.textContent()).toMatch(/ReadCallRecording/);
    await shot('credentials');
  });

  it('lets Ada, the admin, approve in the admin chat; a dialog opens as a modal with title and icon', async () => {
    await as('Ada Admin', 'Registrar admins');
    await waitForText(APP);
    await shot('approval-request');

    // Reject without a reason (from the keyboard): the bot answers with a dialog.
    await button('Reject').focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.getByRole('heading').textContent()).toBe('A reason is needed');
    await expect.poll(() => page.locator('#dialog-icon').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await shot('dialog');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    // Focus is back on the button that opened it.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Reject');

    await button('Approve all').click();
    await waitForText(/Approved/);
    await shot('approved');
  });

  it('shows Alice her credentials card and the approval message, without a reload', async () => {
    await as('Alice Archer', 'Registrar (direct)');
    const posts = page.locator('#posts');
    await posts.getByText(`Approved: your scope request for ${APP}`).waitFor();
    await expect.poll(() => posts.getByText(`App registered: ${APP}`).isVisible()).toBe(true);
    await page.locator('.post').last().scrollIntoViewIfNeeded();
    const path = await shot('alice-approved');
    mkdirSync(join(import.meta.dirname, 'latest'), { recursive: true });
    copyFileSync(path, join(import.meta.dirname, 'latest', 'sandbox.png'));
    // Cards are rendered, never shown as JSON.
    await expect.poll(() => posts.textContent()).not.toMatch(/"type"\s*:\s*"AdaptiveCard"/);
  });

  it('at 360 px, Bob mentions @Registrar in the team and registers a bot; every step fits', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    const fits = async (step: string) => {
      await page.waitForLoadState('networkidle');
      expect(await clippedInCards(page), step).toEqual([]);
    };
    await as('Bob Baker', 'Sandbox team');
    // What people type is shown as typed, tags included, and nothing in it runs or loads.
    const hostile = '<img src=x onerror="document.title=1"> **not markdown**';
    await page.getByLabel('Message', { exact: true }).fill(hostile);
    await page.keyboard.press('Enter');
    await page.locator('#posts').getByText(hostile, { exact: true }).waitFor();
    expect(await page.locator('#posts img').count()).toBe(0);
    await page.getByLabel('Message', { exact: true }).fill('@Registrar create app');
    await page.getByRole('button', { name: 'Send' }).click();
    // The typed name became a mention: the bot answered in the team and went on in a direct chat.
    await page.locator('#posts .mention').filter({ hasText: '@Registrar' }).first().waitFor();
    await page.locator('#posts').getByText('in a direct message with you').waitFor();
    await as('Bob Baker', 'Registrar (direct)');
    await waitForText(/Step 1 of/);
    await fits('app type');
    await page.getByRole('radio', { name: 'Bot add-in' }).check();
    await button('Next').click();
    await waitForText(/Step 2 of/);
    // Long values without spaces: they must wrap anywhere, in FactSets (review, request cards) too.
    await latestCard().getByLabel('App name').fill('StandupHelperOpportunitySyncConnector');
    await latestCard().getByLabel('Display name').fill('Standup Helper');
    await latestCard().getByLabel('Icon URL').fill('https://cdn.example.com/standup-helper/icon.png');
    await latestCard().getByLabel('Primary contact email').fill('alexandra.konstantinopoulou@research.example.com');
    await fits('basics');
    await button('Next').click();
    await waitForText(/Scopes/);
    await fits('scopes');
    expect(await unlabelledControls()).toEqual([]);
    await latestCard().getByRole('checkbox', { name: /TeamMessaging/ }).check();
    // One that needs approval too, so the admin chat holds an open request card for the pass below.
    await latestCard().getByRole('checkbox', { name: /VoipCalling/ }).check();
    await button('Next').click();
    await latestCard().getByLabel('Justification').waitFor();
    await latestCard().getByLabel('Justification').fill('Our standup bot calls the on-call engineer when a standup is missed.');
    await fits('justification');
    await button('Next').click();
    await waitForText(/Access/);
    await page.getByRole('radio', { name: /Private: only/ }).check();
    await fits('access');
    await button('Next').click();
    await waitForText(/Features/);
    await latestCard().getByLabel('Interactive messages').check();
    await fits('features');
    await button('Next').click();
    // Interactive messages on: the same step asks where clicks go.
    await latestCard().getByLabel('Outbound webhook URL').waitFor();
    await latestCard().getByLabel('Outbound webhook URL').fill('https://hooks.example.com/standup-helper/interactive/messages/outbound');
    await fits('webhook');
    await button('Next').click();
    await waitForText(/Review/);
    await fits('review');
    await shot('phone-review');
    await button('Register app').click();
    await waitForText(/App registered/);
    await expect.poll(() => latestCard().textContent()).toMatch(/rgr_ss_[0-9A-Za-z]{46}/);
    await fits('credentials');
    await shot('phone-credentials');
  });

  it('fits every card of every chat into a 360 px wide screen', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    const checked: string[] = [];
    for (const person of ['Alice Archer', 'Bob Baker', 'Ada Admin'] as const) {
      await bePerson(person);
      const chats = await page.locator('#chat-list button').allTextContents();
      for (const chat of chats) {
        await as(person, chat);
        const cards = await page.locator('#posts .card').count();
        const clipped = await clippedInCards(page);
        expect(clipped, `${person} in ${chat}`).toEqual([]);
        expect(await unlabelledControls(), `${person} in ${chat}`).toEqual([]);
        checked.push(`${person}/${chat}: ${cards} cards`);
        if (cards > 0) await shot(`phone-${person.split(' ')[0]!.toLowerCase()}-${chat.replace(/\W+/g, '-').toLowerCase()}`);
      }
    }
    expect(checked.join('\n')).toMatch(/Alice Archer\/Registrar \(direct\): [2-9]/);
    expect(checked.join('\n')).toMatch(/Ada Admin\/Registrar admins: [2-9]/);
    // The open request (buttons, inputs) was among them, not only decided ones.
    await as('Ada Admin', 'Registrar admins');
    await expect.poll(() => latestCard().getByRole('button', { name: 'Approve all' }).isVisible()).toBe(true);
  });

  it('logged no console error and no page error', () => {
    expect(problems).toEqual([]);
  });
});
