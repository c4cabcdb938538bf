import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startQuietSandbox } from '../helpers/sandbox.js';

export const screenshotDir = join(import.meta.dirname, 'screenshots');

/** A sandbox on free ports with its own DATA_DIR, as `npm start` runs it. */
export async function startTestSandbox() {
  return (await startQuietSandbox()).sandbox;
}

/** Debian's Chromium (CHROMIUM_PATH to use another), headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Every console error and uncaught page error, for the test to assert there were none. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return problems;
}

/** Saves numbered screenshots in `screenshots/<folder>/`, emptied first (each test file its own folder). */
export function screenshotter(page: Page, folder = 'sandbox') {
  const dir = join(screenshotDir, folder);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let n = 0;
  return async (name: string) => {
    n += 1;
    const path = join(dir, `${String(n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path, fullPage: false });
    return path;
  };
}

/**
 * What is cut off in the rendered cards: elements whose content is wider than their box (unless the
 * box scrolls), and cards reaching past the viewport's right edge. Runs in the page.
 */
export function clippedInCards(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const describe = (el: Element) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.textContent ?? '').trim().slice(0, 60)}"`;
    for (const card of document.querySelectorAll('#posts .card, dialog[open] .card')) {
      const box = card.getBoundingClientRect();
      if (box.right > window.innerWidth + 0.5 || box.left < -0.5) found.push(`card out of the viewport: ${describe(card)} (${box.left}..${box.right} of ${window.innerWidth})`);
      for (const el of [card, ...card.querySelectorAll('*')]) {
        if (!(el instanceof HTMLElement) || el.clientWidth === 0) continue;
        const overflowX = getComputedStyle(el).overflowX;
        // Intended scroll boxes: those styled to scroll, and text fields (a long value scrolls inside).
        if (overflowX === 'auto' || overflowX === 'scroll' || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)) continue;
        if (el.scrollWidth > el.clientWidth + 1) found.push(`clipped: ${describe(el)} (${el.scrollWidth} > ${el.clientWidth})`);
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > box.right + 1) found.push(`past the card's edge: ${describe(el)}`);
      }
    }
    return found;
  });
}
