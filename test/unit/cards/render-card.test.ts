import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/lib/errors.js';
import { CARD_NAMES, renderCard, type Card, type CardData, type CardName } from '../../../src/cards/render-card.js';
import { validateCard } from '../../../src/cards/validate-card.js';
import { inputs, ofType, submits, texts, type Node } from './card-tree.js';
import * as f from './fixtures.js';

const cardsDir = fileURLToPath(new URL('../../../cards/', import.meta.url));
const render = (c: f.Case): Card => renderCard(c[1], c[2] as never);

describe('templates on disk', () => {
  it('has exactly one template per card name', () => {
    const files = readdirSync(cardsDir).filter((n) => n.endsWith('.json')).map((n) => n.replace(/\.json$/, ''));
    expect(files.sort()).toEqual([...CARD_NAMES].sort());
  });

  it.each(CARD_NAMES)('%s declares the schema, type, version 1.3 and a fallback text', (name) => {
    const json = JSON.parse(readFileSync(`${cardsDir}${name}.json`, 'utf8'));
    expect(json).toMatchObject({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.3',
      fallbackText: expect.stringMatching(/\S/),
    });
  });
});

describe('every card in every state', () => {
  it.each(f.allCases)('%s validates as Adaptive Cards 1.3 with no errors or warnings', (...c) => {
    expect(validateCard(render(c))).toEqual({ errors: [], warnings: [] });
  });

  it.each(f.allCases)('%s leaves no unexpanded ${...} binding', (...c) => {
    const json = JSON.stringify(render(c));
    expect(JSON.stringify(c[2])).not.toContain('${');
    expect(json).not.toContain('${');
    expect(json).not.toMatch(/"\$(when|data)"/);
  });

  it.each(f.allCases)('%s keeps its fallback text, type and version after expansion', (...c) => {
    const card = render(c);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.3', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' });
    expect(card.fallbackText).toMatch(/\S/);
  });

  it.each(f.allCases)('%s gives every Action.Submit the action, the bot id and the id of what it acts on', (...c) => {
    const data = c[2] as Partial<CardData['review']> & { requestId?: string; clientId?: string };
    for (const action of submits(render(c))) {
      // Form cards act on a flow (at a version), approval cards on a request, outcome cards on an app.
      // Lifecycle cards act on an app (the list's Next and Previous on its owner's list).
      const onApp = ['approval-outcome', 'credentials-hidden', 'app-detail', 'app-confirm-delete', 'transfer-offer'].includes(c[1]);
      const target =
        c[1] === 'approval-request' || c[1] === 'public-review-request' || c[1] === 'access-request'
          ? { requestId: data.requestId }
          : c[1] === 'access-needed'
            ? {}
          : onApp
            ? { clientId: data.clientId }
            : c[1] === 'my-apps'
              ? { ownerId: (c[2] as CardData['my-apps']).ownerId }
              : { flowId: data.flowId, version: data.version };
      expect(action.data).toMatchObject({ action: expect.any(String), botId: data.botId, ...target });
    }
  });
});

describe('review card', () => {
  it('shows each section as facts with its own Edit button', () => {
    const card = renderCard('review', f.review);
    expect(ofType(card, 'FactSet').map((s) => s.facts)).toEqual(f.review.sections.map((s) => s.facts));
    const edits = submits(card).filter((a) => (a.data as Node).action === 'edit');
    expect(edits.map((a) => a.data)).toEqual(
      f.review.sections.map((s) => ({ action: 'edit', section: s.section, flowId: 'flow-7f3a', version: '4', botId: '830119004' })),
    );
    expect((card.actions as Node[]).map((a) => [(a.data as Node).action, a.title])).toEqual([
      ['back', 'Back'],
      ['cancel', 'Cancel'],
      ['submit', 'Register app'],
    ]);
    expect((card.actions as Node[])[2]).toMatchObject({ style: 'positive' });
    expect(inputs(card)).toEqual([]);
  });

  it('reviews an edit with no Back, no edit button for the type, and "Save changes"', () => {
    const card = renderCard('review', f.reviewOfEdit);
    expect(submits(card).filter((a) => (a.data as Node).action === 'edit').map((a) => (a.data as Node).section)).toEqual(['basics', 'auth', 'scopes']);
    expect((card.actions as Node[]).map((a) => [(a.data as Node).action, a.title])).toEqual([
      ['cancel', 'Cancel'],
      ['submit', 'Save changes'],
    ]);
    expect(texts(card)).toContain('Edit Expense Bot \\(staging\\) · Review');
    expect(texts(card)).toContain('App type (cannot change)');
  });

  it('shows the notice only when there is one', () => {
    expect(texts(renderCard('review', f.review))).not.toContain(f.reviewWithNotice.notice);
    expect(texts(renderCard('review', f.reviewWithNotice))).toContain(f.reviewWithNotice.notice);
  });
});

describe('closing cards', () => {
  it.each(['good', 'attention', 'default'] as const)('flow-closed in %s tone has no actions', (tone) => {
    const card = renderCard('flow-closed', { title: 'Done', message: 'All set.', tone });
    expect(ofType(card, 'Container')[0]).toMatchObject({ style: tone });
    expect(card.actions).toBeUndefined();
    expect(texts(card)).toEqual(['Done', 'All set.']);
  });

  it('notice is a title and a message with no actions', () => {
    const card = renderCard('notice', { title: 'Not now', message: 'Finish your current registration first.' });
    expect(texts(card)).toEqual(['Not now', 'Finish your current registration first.']);
    expect(card.actions).toBeUndefined();
    expect(card.fallbackText).toBe('Not now');
  });
});

describe('credentials cards', () => {
  const monospace = (card: Card) => ofType(card, 'TextRun').filter((r) => r.fontType === 'monospace').map((r) => r.text);

  it('shows ids and secrets in monospace, verbatim, and never in the notification text', () => {
    const card = renderCard('credentials', f.credentials);
    // Technical strings in the next steps are code style too.
    expect(monospace(card)).toEqual([f.credentials.clientId, f.credentials.clientSecret, f.credentials.sharedSecret, 'https://bot.example.com/oauth']);
    expect(texts(card)).toEqual(expect.arrayContaining([f.credentials.hideAtText, 'ReadMessages, TeamMessaging']));
    expect(ofType(card, 'TextRun').map((r) => r.text)).toContain('Install the bot into your account from the Developer Console.');
    expect(card.fallbackText).not.toContain(f.credentials.clientSecret);
    expect(card.fallbackText).not.toContain(f.credentials.sharedSecret);
    expect(card.actions).toBeUndefined();
  });

  it('shows pending scopes only when some await approval, and the shared secret only when there is one', () => {
    const full = renderCard('credentials', f.credentials);
    expect(texts(full)).toEqual(expect.arrayContaining(['Awaiting approval', 'ReadAccounts']));
    const plain = renderCard('credentials', f.credentialsPlain);
    expect(texts(plain)).not.toContain('Awaiting approval');
    expect(monospace(plain)).toEqual([f.credentials.clientId, f.credentials.clientSecret, '/restapi/oauth/token']);
    expect(JSON.stringify(plain)).not.toContain('Shared secret');
    expect(texts(plain)).toContain('None');
  });

  it('hidden credentials keep the client id, say the secret is hidden, and take no secret', () => {
    const card = renderCard('credentials-hidden', f.credentialsHidden);
    const json = JSON.stringify(card);
    expect(json).not.toContain(f.credentials.clientSecret);
    expect(json).not.toContain(f.credentials.sharedSecret);
    expect(monospace(card)).toEqual([f.credentials.clientId, 'https://bot.example.com/oauth']);
    expect(texts(card)).toContain(f.credentialsHidden.hiddenText);
    expect(texts(card)).not.toContain('Not granted: A2PSMS');
    const decided = renderCard('credentials-hidden', f.credentialsHiddenPlain);
    expect(texts(decided)).toEqual(expect.arrayContaining(['Partly approved by an admin', 'Not granted: A2PSMS']));
    expect(texts(decided)).not.toContain('Awaiting approval');
    expect(() => renderCard('credentials-hidden', { ...f.credentialsHidden, clientSecret: 'leak' } as never)).toThrow(/clientSecret/);
  });
});

describe('renderCard data checks', () => {
  const rejects = (name: CardName, data: unknown) => {
    try {
      renderCard(name, data as never);
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('CARD_DATA_INVALID');
      return (error as Error).message;
    }
    throw new Error('renderCard accepted invalid data');
  };

  it('names the card and the missing field', () => {
    const { appName: _omit, ...values } = f.stepBasics.values;
    const message = rejects('step-basics', { ...f.stepBasics, values });
    expect(message).toContain('renderCard("step-basics")');
    expect(message).toContain('values.appName');
  });

  it('names every bad field, nested and top level', () => {
    const { stepCount: _omit, ...rest } = f.stepScopes;
    const message = rejects('step-scopes', { ...rest, instantChoices: [{ value: 'ReadMessages' }], errors: { scopes: '' } });
    expect(message).toContain('stepCount');
    expect(message).toContain('instantChoices[0].title');
    expect(message).toContain('errors.justification');
  });

  it('rejects a toggle that is not "true" or "false", an unknown tone and unknown fields', () => {
    expect(rejects('step-auth', { ...f.stepAuth, values: { ...f.stepAuth.values, refreshTokens: 'yes' } })).toContain('values.refreshTokens');
    expect(rejects('flow-closed', { title: 'x', message: 'y', tone: 'warning' })).toContain('tone');
    expect(rejects('notice', { title: 'x', message: 'y', extra: 1 })).toContain('extra');
  });

  it('renders the same template again with new data, unaffected by the last render', () => {
    const first = renderCard('notice', { title: 'First', message: 'one' });
    const second = renderCard('notice', { title: 'Second', message: 'two' });
    expect(texts(first)).toEqual(['First', 'one']);
    expect(texts(second)).toEqual(['Second', 'two']);
  });
});
