import { describe, expect, it } from 'vitest';
import { validateCard } from '../../../src/cards/validate-card.js';

const submit = (action = 'next') => ({ type: 'Action.Submit', title: 'Go', data: { action, flowId: 'f', version: '1', botId: 'b' } });
const card = (body: unknown[], actions: unknown[] = [submit()], extra: Record<string, unknown> = {}) => ({
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  type: 'AdaptiveCard',
  version: '1.3',
  fallbackText: 'A card',
  body,
  actions,
  ...extra,
});
const hello = { type: 'TextBlock', text: 'Hello', wrap: true };

describe('validateCard', () => {
  it('passes a plain 1.3 card with the four supported actions', () => {
    const result = validateCard(
      card(
        [hello, { type: 'TextBlock', id: 'more', text: 'More', isVisible: false }],
        [
          submit(),
          { type: 'Action.OpenUrl', title: 'Docs', url: 'https://developers.ringcentral.com' },
          { type: 'Action.ToggleVisibility', title: 'More', targetElements: ['more'] },
          { type: 'Action.ShowCard', title: 'Details', card: { type: 'AdaptiveCard', body: [hello], actions: [submit('edit')] } },
        ],
      ),
    );
    expect(result).toEqual({ errors: [], warnings: [] });
  });

  it('reports an Action.Execute, anywhere in the card', () => {
    const execute = { type: 'Action.Execute', title: 'Run', verb: 'run', data: { action: 'run' } };
    const top = validateCard(card([hello], [execute]));
    expect(top.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/card\.actions\[0\]: action type "Action\.Execute" is not supported by RingCentral/),
        expect.stringMatching(/UnknownActionType.*Action\.Execute/),
      ]),
    );

    const nested = validateCard(
      card(
        [{ type: 'Container', items: [hello], selectAction: execute }],
        [{ type: 'Action.ShowCard', title: 'More', card: { type: 'AdaptiveCard', body: [{ type: 'ActionSet', actions: [execute] }] } }],
      ),
    );
    expect(nested.errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('card.body[0].selectAction: action type "Action.Execute"'),
        expect.stringContaining('card.actions[0].card.body[0].actions[0]: action type "Action.Execute"'),
      ]),
    );
  });

  it('reports an unknown element type', () => {
    const { errors } = validateCard(card([hello, { type: 'Table', columns: [], rows: [] }, { type: 'Banner', text: 'x' }]));
    expect(errors).toEqual(
      expect.arrayContaining([expect.stringMatching(/UnknownElementType.*"Table"/), expect.stringMatching(/UnknownElementType.*"Banner"/)]),
    );
  });

  it('reports properties newer than 1.3', () => {
    const { errors } = validateCard(card([{ type: 'TextBlock', text: 'Title', style: 'heading' }]));
    expect(errors).toEqual([expect.stringMatching(/UnsupportedProperty \(TextBlock\).*"style" is supported in version 1\.5/)]);
  });

  it('reports duplicate ids', () => {
    const { errors } = validateCard(
      card([
        { type: 'Input.Text', id: 'appName', label: 'App name' },
        { type: 'Input.Text', id: 'appName', label: 'Again' },
      ]),
    );
    expect(errors).toEqual([expect.stringMatching(/DuplicateId.*"appName"/)]);
  });

  it('reports an Action.Submit without a string data.action', () => {
    const { errors } = validateCard(
      card([hello], [{ type: 'Action.Submit', title: 'Go' }, { type: 'Action.Submit', title: 'Go', data: { action: 7 } }]),
    );
    expect(errors).toEqual([
      'card.actions[0]: Action.Submit needs data.action (a string) for the dispatcher to route on',
      'card.actions[1]: Action.Submit needs data.action (a string) for the dispatcher to route on',
    ]);
  });

  it('reports a version other than 1.3, and a missing type', () => {
    expect(validateCard(card([hello], [submit()], { version: '1.5' })).errors).toContain('card.version: expected "1.3", got "1.5"');
    expect(validateCard({ body: [] }).errors).toEqual(
      expect.arrayContaining(['card.type: expected "AdaptiveCard", got undefined', 'card.version: expected "1.3", got undefined']),
    );
    expect(validateCard('nope')).toEqual({ errors: ['card: not a JSON object'], warnings: [] });
  });

  it('warns about required inputs without a label or error message, and misspelt properties', () => {
    const { errors, warnings } = validateCard(card([{ type: 'Input.Text', id: 'appName', isRequired: true, placehodler: 'Name' }]));
    expect(errors).toEqual([]);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('RequiredInputsShouldHaveLabel'),
        expect.stringContaining('RequiredInputsShouldHaveErrorMessage'),
        expect.stringMatching(/UnknownProperty \(Input\.Text "appName"\): "placehodler"/),
      ]),
    );
  });

  it('flags template bindings left in a card that was not expanded', () => {
    const { warnings } = validateCard(card([{ type: 'TextBlock', $when: "${notice != ''}", text: '${notice}' }]));
    expect(warnings).toEqual([expect.stringContaining('"$when"')]);
  });
});
