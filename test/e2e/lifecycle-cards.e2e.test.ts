import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardInputs, submitActions } from '../../src/cards/inspect-card.js';
import { pageClient, startQuietSandbox } from '../helpers/sandbox.js';
import { clippedInCards, collectProblems, launchChromium } from './browser.js';

/**
 * The lifecycle's cards in Chromium at phone widths: my apps, the owner's app card with two client
 * secrets and a shared secret, a rotated secret, the delete confirmation, the hand-over offer and
 * the admins' view. Nothing may be cut off, and no two buttons of a card may carry the same label.
 */
let sandbox: Awaited<ReturnType<typeof startQuietSandbox>>['sandbox'];
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  ({ sandbox } = await startQuietSandbox());
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

const cardCount = async (client: Client, chat: string) => (await client.posts(chat)).filter((r) => r.card).length;

/** Says `text` and waits for one more card in the chat. */
async function sayForCard(client: Client, chat: string, text: string) {
  const before = await cardCount(client, chat);
  await client.say(chat, text);
  await expect.poll(() => cardCount(client, chat), { timeout: 15_000 }).toBeGreaterThan(before);
  return (await client.card(chat))!;
}

/** Clicks the button titled so on card `cardId`, as `as`, in `chat`. */
async function press(client: Client, as: string, chat: string, cardId: string, title: string, values: Record<string, unknown> = {}) {
  const card = (await client.posts(chat)).find((r) => r.card?.id === cardId)!.card!;
  const button = submitActions(card.body).find((a) => a.title.startsWith(title))!;
  const res = await client.call('POST', `/cards/${card.id}/submit`, { as, chatId: chat, data: { ...cardInputs(card.body), ...button.data, ...values } });
  expect(res.status).toBeLessThan(300);
}

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

async function checkWidths(person: string, chat: string, minCards: number) {
  for (const width of [360, 500]) {
    await page.setViewportSize({ width, height: 900 });
    await open(person, chat);
    await expect.poll(() => page.locator('#posts .card').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(minCards);
    expect(await clippedInCards(page), `${chat} at ${width} px`).toEqual([]);
    expect(await repeatedLabels(), `${chat} at ${width} px`).toEqual([]);
  }
}

/** Saves the last card containing `text` (at 500 px) to test/e2e/latest/, for the docs' pictures. */
async function keep(text: string, name: string) {
  const dir = join(import.meta.dirname, 'latest');
  mkdirSync(dir, { recursive: true });
  const card = page.locator('#posts .card', { hasText: text }).last();
  await page.setViewportSize({ width: 500, height: 900 });
  // Tall enough that the whole card sits below the page's header: the picture shows the card alone.
  const height = (await card.boundingBox())?.height ?? 900;
  await page.setViewportSize({ width: 500, height: Math.ceil(height) + 600 });
  await card.screenshot({ path: join(dir, `${name}.png`), timeout: 5000 });
  await page.setViewportSize({ width: 500, height: 900 });
}

describe('lifecycle cards in Chromium', () => {
  it('fit at 360 and 500 px, each button labelled once', async () => {
    const alice = pageClient(sandbox.page.url, 'alice');
    const ada = pageClient(sandbox.page.url, 'ada');
    const dm = (await alice.chats()).find((c) => c.kind === 'direct')!.id;
    const admins = sandbox.meta.adminChatId;

    await alice.say(dm, 'create app');
    await expect.poll(() => cardCount(alice, dm), { timeout: 15_000 }).toBe(1);
    for (const values of [
      { appType: 'rest-api' },
      { appName: 'Expense Sync', displayName: 'Expense Sync', primaryContact: 'alice@sandbox.example', promote: 'false', iconUrl: '' },
      { authMethod: 'jwt', redirectUris: '', refreshTokens: 'false' },
      { scopes: 'ReadMessages', justification: '' },
      { access: 'private', partners: '' },
      { interactiveMessages: 'true', outboundWebhookUrl: '' },
      { interactiveMessages: 'true', outboundWebhookUrl: 'https://hooks.example.com/cards' },
    ]) await alice.click(dm, 'next', values);
    await alice.click(dm, 'submit');

    const appCard = await sayForCard(alice, dm, 'app Expense Sync');
    await press(alice, 'alice', dm, appCard.id, 'Rotate client secret');
    await expect.poll(async () => JSON.stringify((await alice.posts(dm)).find((r) => r.card?.id === appCard.id)!.card!.body), { timeout: 15_000 }).toContain('Two are live now');
    await sayForCard(alice, dm, 'my apps');
    const again = await sayForCard(alice, dm, 'app Expense Sync');
    await press(alice, 'alice', dm, again.id, 'Delete app…');
    await press(alice, 'alice', dm, again.id, 'Offer the app', { newOwner: sandbox.meta.people.bob!.id });
    await checkWidths('Alice Archer', 'Registrar (direct)', 5);
    const bob = pageClient(sandbox.page.url, 'bob');
    const bobDm = (await bob.chats()).find((c) => c.kind === 'direct')!.id;
    await expect.poll(() => cardCount(bob, bobDm), { timeout: 15_000 }).toBe(1);
    await checkWidths('Bob Baker', 'Registrar (direct)', 1);
    await open('Alice Archer', 'Registrar (direct)');
    await keep('Rotate client secret', 'app-card');
    await keep('Your apps', 'my-apps');

    await sayForCard(ada, admins, '@Registrar app Expense Sync');
    await checkWidths('Ada Admin (admin)', 'Registrar admins', 1);
    await keep('Suspend app', 'app-card-admin');
    expect(problems).toEqual([]);
  }, 180_000);
});
