import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { cardInputs, submitActions } from '../../src/cards/inspect-card.js';
import { loadScopeCatalog } from '../../src/registry/scope-catalog.js';
import { pageClient, startQuietSandbox } from '../helpers/sandbox.js';
import { clippedInCards, collectProblems, launchChromium } from './browser.js';

/**
 * Every card of the registration form, in each state it reaches, drawn by the chat page with
 * Microsoft's renderer at 360 px and 500 px: nothing clipped, every button labelled distinctly
 * within its card, and the scopes step and the review under 1,000 px tall at 500 px with the
 * bundled scope catalog. The answers are sent through the page's API (as a click sends them); the
 * page shows each card as it changes.
 */
let sandbox: Awaited<ReturnType<typeof startQuietSandbox>>['sandbox'];
let browser: Browser;
let page: Page;
let problems: string[];
let alice: ReturnType<typeof pageClient>;
let dm: string;

beforeAll(async () => {
  ({ sandbox } = await startQuietSandbox(undefined, { ALLOW_NOTIFICATION_ADDINS: 'true' }));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 500, height: 900 } });
  problems = collectProblems(page);
  alice = pageClient(sandbox.page.url, 'alice');
  dm = (await alice.chats()).find((c) => c.kind === 'direct')!.id;
  await page.goto(`${sandbox.page.url}/`);
  await page.getByText('Live', { exact: true }).waitFor();
  const [key] = await page.getByLabel('You are').selectOption({ label: 'Alice Archer' });
  await page.locator(`#chat-list[data-person="${key}"]`).waitFor();
  await page.getByRole('button', { name: 'Registrar (direct)', exact: true }).click();
  await page.locator('#posts:not([aria-busy])').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

// A test that failed half-way leaves its registration open: drop it, so the next starts afresh.
beforeEach(async () => {
  await alice.say(dm, 'cancel');
  await new Promise((r) => setTimeout(r, 500));
});

/** Says "create app" and waits for the new form's first card. */
async function startForm() {
  const before = (await alice.card(dm))?.id;
  await alice.say(dm, 'create app');
  await expect.poll(async () => {
    const card = await alice.card(dm);
    return card !== undefined && card.id !== before && submitActions(card.body).some((a) => a.data.action === 'next');
  }, { timeout: 15_000 }).toBe(true);
}

const latestCard = () => page.locator('.post.from-bot .card').last();

/** Presses a button of the newest card (an edit button by its section), its inputs as shown plus `values`. */
async function click(action: string, values: Record<string, unknown> = {}, section?: string) {
  const card = (await alice.card(dm))!;
  const button = submitActions(card.body).find((a) => a.data.action === action && (section === undefined || a.data.section === section));
  if (!button) throw new Error(`no ${action} button`);
  const res = await alice.call('POST', `/cards/${card.id}/submit`, { as: 'alice', chatId: dm, data: { ...cardInputs(card.body), ...button.data, ...values } });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

const heights: Record<string, number> = {};
/** Each card as last checked (500 px wide), for a person to look at. */
const shots = join(import.meta.dirname, 'screenshots', 'form-cards');
mkdirSync(shots, { recursive: true });

/**
 * Checks the newest card once it shows `marker`: at 360 px and 500 px nothing is clipped and its
 * buttons read distinctly (in the card sent and as drawn); returns its height at 500 px.
 */
async function check(name: string, marker: string | RegExp): Promise<number> {
  await latestCard().getByText(marker).first().waitFor({ timeout: 15_000 });
  const sent = (await alice.card(dm))!;
  const titles = submitActions(sent.body).map((a) => a.title);
  expect(new Set(titles).size, `${name}: ${titles.join(' | ')}`).toBe(titles.length);
  let height = 0;
  for (const width of [360, 500]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(50);
    expect(await clippedInCards(page), `${name} at ${width} px`).toEqual([]);
    const drawn = await latestCard().getByRole('button').allTextContents();
    expect(new Set(drawn).size, `${name} at ${width} px: ${drawn.join(' | ')}`).toBe(drawn.length);
    expect(drawn.length).toBe(titles.length);
    height = (await latestCard().boundingBox())!.height;
  }
  // Tall enough that the whole card sits below the page's header: the picture shows the card alone.
  await page.setViewportSize({ width: 500, height: Math.ceil(height) + 600 });
  await latestCard().screenshot({ path: join(shots, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`) });
  heights[name] = height;
  return height;
}

describe('the form cards in Chromium at 360 px and 500 px', () => {
  it('a REST API app with 3-legged OAuth, public for some partners, interactive messages: every card and error', async () => {
    await startForm();
    await check('type', 'Step 1 of 7: App type');
    await click('next', { appType: '' });
    await check('type with error', 'Choose an app type.');
    await click('next', { appType: 'rest-api' });
    await check('basics (REST API)', 'Step 2 of 7: Name and contact');
    await click('next', { appName: 'Call Archive', displayName: 'Call Archive', iconUrl: 'ftp://icon', primaryContact: 'alice@' });
    await check('basics with errors', 'Please fix the fields marked below.');
    await click('next', { appName: 'Call Archive', displayName: 'Call Archive', iconUrl: '', primaryContact: 'alexandra.konstantinopoulou@research.example.com' });
    await check('auth', 'Step 3 of 7: Authentication');
    await click('next', { authMethod: 'oauth' });
    await check('auth: OAuth details', 'OAuth redirect URIs');
    await click('next', { redirectUris: 'https://*.example.com/cb' });
    await check('auth: OAuth details with errors', 'Please fix the fields marked below.');
    await click('next', { redirectUris: 'https://archive.example.com/oauth/callback-with-a-rather-long-path\nhttp://localhost:8080/cb', refreshTokens: 'true' });
    const scopes = await check('scopes', 'Step 4 of 7: Scopes');
    expect(scopes, 'the scopes step at 500 px').toBeLessThan(1000);
    await click('next', { scopes: '', approvalScopes: '' });
    const scopesWithError = await check('scopes with error', /Choose at least one scope/);
    expect(scopesWithError, 'the scopes step with its error at 500 px').toBeLessThan(1000);
    await click('next', { scopes: 'ReadCallLog,SMS,ReadMessages', approvalScopes: 'ReadCallRecording,A2PSMS' });
    await check('scopes: justification', /awaiting an admin/);
    await click('next', { justification: 'too short' });
    await check('scopes: justification with error', /need approval from an admin/);
    await click('next', { justification: 'We archive call recordings for compliance audits every quarter.' });
    await check('access', 'Step 5 of 7: Access');
    await click('next', { access: 'public' });
    await check('access: partners', 'Only these partners');
    await click('next', { partnerReach: 'only', partners: '' });
    await check('access: partners with error', 'Please fix the fields marked below.');
    await click('next', { partnerReach: 'only', partners: 'att,bt,telus,avaya,verizon' });
    await check('features', 'Step 6 of 7: Features');
    await click('next', { interactiveMessages: 'true' });
    await check('features: webhook', 'Outbound webhook URL');
    await click('next', { outboundWebhookUrl: 'http://10.0.0.5/hook' });
    await check('features: webhook with error', 'Please fix the fields marked below.');
    await click('next', { outboundWebhookUrl: 'https://hooks.example.com/registrar/interactive' });
    const review = await check('review (OAuth, public, interactive)', 'Register an app · Review');
    expect(review, 'the review at 500 px').toBeLessThan(1000);
    await click('edit', {}, 'scopes');
    await check('scopes from the review', 'Continue');
    await click('next');
    await check('scopes: justification from the review', 'Back to review');
    await click('next');
    await check('review again', 'Register an app · Review');
    await click('cancel');
  });

  it('a REST API app with JWT, private, every scope of the catalog: the review still fits', async () => {
    await startForm();
    await click('next', { appType: 'rest-api' });
    await click('next', { appName: 'Everything App', displayName: 'Everything App', primaryContact: 'alice@sandbox.example' });
    await click('next', { authMethod: 'jwt' });
    await latestCard().getByText('Step 4 of 7: Scopes').waitFor();
    const card = (await alice.card(dm))!;
    const choices = (id: string) => {
      const found: string[] = [];
      const walk = (n: unknown): void => {
        if (Array.isArray(n)) n.forEach(walk);
        else if (n && typeof n === 'object') {
          const o = n as Record<string, unknown>;
          if (o.id === id) found.push(...(o.choices as { value: string }[]).map((c) => c.value));
          Object.values(o).forEach(walk);
        }
      };
      walk(card.body);
      return found.join(',');
    };
    await click('next', { scopes: choices('scopes'), approvalScopes: choices('approvalScopes') });
    await click('next', { justification: 'An internal test harness that exercises every API we license.' });
    await click('next', { access: 'private' });
    await click('next', { interactiveMessages: 'false' });
    const review = await check('review (JWT, private, every scope)', 'Register an app · Review');
    expect(review, 'the review with every scope at 500 px').toBeLessThan(1000);
    await click('edit', {}, 'scopes');
    const everything = await check('scopes with the whole catalog chosen', 'Step 4 of 7: Scopes');
    expect(everything, 'the scopes step with every scope chosen at 500 px').toBeLessThan(1000);
    await click('cancel');
  });

  it('the longest answers the form takes: the review summarises them and still fits', async () => {
    await startForm();
    await click('next', { appType: 'rest-api' });
    // URLs as long as real signed ones get: a 250-character icon, 256-character redirect URIs, a 200-character webhook.
    const long = (base: string, length: number) => `${base}?sig=${'x'.repeat(length - base.length - 5)}`;
    await click('next', { appName: 'Everything Everywhere', displayName: 'Everything Everywhere', primaryContact: 'alice@sandbox.example', promote: 'true', iconUrl: long('https://cdn.example.com/icons/everything.png', 250) });
    await click('next', { authMethod: 'oauth' });
    const uris = Array.from({ length: 10 }, (_, i) => long(`https://callback-host-number-${i}.integrations.example.com/oauth/redirect/handler`, 256));
    await click('next', { redirectUris: uris.join('\n'), refreshTokens: 'true' });
    await latestCard().getByText('Step 4 of 7: Scopes').waitFor();
    const allScopes = {
      instant: loadScopeCatalog().all().filter((x) => !x.requiresApproval).map((x) => x.name),
      approval: loadScopeCatalog().all().filter((x) => x.requiresApproval).map((x) => x.name),
    };
    await click('next', { scopes: allScopes.instant.join(','), approvalScopes: allScopes.approval.join(',') });
    await click('next', { justification: 'We need every scope for a compliance harness that exercises all the APIs we license. '.repeat(23).slice(0, 2000) });
    await click('next', { access: 'public' });
    await click('next', { partnerReach: 'only', partners: 'att,bt,telus,avaya,verizon,unify,atos,vodafone' });
    await click('next', { interactiveMessages: 'true' });
    await click('next', { outboundWebhookUrl: long('https://hooks.integrations.example.com/registrar/interactive/messages/endpoint', 200) });
    const review = await check('review (longest answers)', 'Register an app · Review');
    expect(review, 'the review with the longest answers at 500 px').toBeLessThan(1000);
    await click('cancel');
  });

  it('a bot add-in and a notification add-in: their steps fit', async () => {
    await startForm();
    await click('next', { appType: 'bot' });
    await check('basics (bot)', 'Step 2 of 6: Name and contact');
    await click('next', { appName: 'Standup Helper', displayName: 'Standup Helper', iconUrl: 'https://cdn.example.com/standup/icon.png', primaryContact: 'alice@sandbox.example' });
    await check('scopes (bot)', 'Step 3 of 6: Scopes');
    await click('next', { scopes: 'TeamMessaging' });
    await check('access (bot)', 'Step 4 of 6: Access');
    await click('next', { access: 'private' });
    await check('features (bot)', 'Step 5 of 6: Features');
    await click('next', { interactiveMessages: 'false' });
    const review = await check('review (bot)', 'Register an app · Review');
    expect(review).toBeLessThan(1000);
    await click('cancel');

    await startForm();
    await click('next', { appType: 'notification' });
    await check('basics (notification)', 'Step 2 of 4: Name and contact');
    await click('next', { appName: 'Alert Relay', displayName: 'Alert Relay', iconUrl: 'https://cdn.example.com/relay/icon.png', primaryContact: 'alice@sandbox.example' });
    await check('features (notification)', 'Step 3 of 4: Features');
    await click('next', { manualInstructions: '' });
    await check('features (notification) with error', 'Please fix the fields marked below.');
    await click('next', { manualInstructions: 'Paste the webhook URL into the alerting tool.' });
    await check('review (notification)', 'Register an app · Review');
    await click('cancel');
    expect(problems).toEqual([]);
    console.info(`form card heights at 500 px: ${JSON.stringify(heights)}`);
  });
});
