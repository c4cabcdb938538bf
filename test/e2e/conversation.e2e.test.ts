import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clippedInCards, collectProblems, launchChromium, startTestSandbox } from './browser.js';

/**
 * The forgiving conversation in Chromium: the cards and texts a slip, a greeting, a resume and a
 * cancel leave in Alice's direct chat, each checked at 360 px and 500 px for clipping and for
 * buttons that share a label.
 */
let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 500, height: 900 } });
  problems = collectProblems(page);
  await page.goto(`${sandbox.page.url}/`);
  await page.getByText('Live', { exact: true }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

const botPosts = () => page.locator('.post.from-bot');

async function say(text: string, expectPosts: number) {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.keyboard.press('Enter');
  await expect.poll(() => botPosts().count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(expectPosts);
}

/** Labels of the buttons within each card that appear more than once in it. */
const repeatedButtons = () =>
  page.evaluate(() =>
    [...document.querySelectorAll('#posts .card')].flatMap((card) => {
      const labels = [...card.querySelectorAll('button')].map((b) => (b.textContent ?? '').trim());
      return labels.filter((l, i) => labels.indexOf(l) !== i);
    }),
  );

describe('the forgiving conversation in the chat page', () => {
  it('shows the welcome, the did-you-mean, the one-line stub and the cancelled form, unclipped at 360 and 500 px', async () => {
    await say('hello', 1);
    await expect.poll(() => botPosts().last().textContent()).toMatch(/Hello! I am Registrar/);
    await say('creat app', 2);
    await expect.poll(() => botPosts().last().textContent()).toMatch(/Did you mean create app\?/);
    await say('create app', 3);
    await page.locator('.post.from-bot .card').last().getByText(/Step 1 of/).waitFor();
    await say('resume', 4);
    await expect.poll(async () => (await page.locator('.post.from-bot .card').first().textContent())?.trim()).toBe('This form continues in a newer card below.');
    await say('cancel', 4);
    await expect.poll(() => page.locator('.post.from-bot .card').last().textContent()).toMatch(/Registration cancelled/);
    expect(await botPosts().count()).toBe(4); // cancel said once: on the card, no extra message

    const stubText = page.locator('.post.from-bot .card').first().locator('p, div').filter({ hasText: 'This form continues' }).last();
    for (const width of [360, 500]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(200);
      expect(await clippedInCards(page), `at ${width} px`).toEqual([]);
      // The stub is one line, even at phone width.
      const { height, lineHeight } = await stubText.evaluate((el) => ({ height: el.getBoundingClientRect().height, lineHeight: parseFloat(getComputedStyle(el).lineHeight) || 20 }));
      expect(height, `stub at ${width} px`).toBeLessThan(lineHeight * 2);
    }
    expect(await repeatedButtons()).toEqual([]);
    expect(problems).toEqual([]);
  });
});
