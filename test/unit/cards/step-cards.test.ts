import { describe, expect, it } from 'vitest';
import { renderCard, STEP_INPUT_IDS } from '../../../src/cards/render-card.js';
import { validateCard } from '../../../src/cards/validate-card.js';
import { input, inputs, ofType, submits, texts, type Node } from './card-tree.js';
import * as f from './fixtures.js';

describe('form step cards', () => {
  const steps = [
    ['step-type', f.stepType, f.stepTypeWithError],
    ['step-basics', f.stepBasics, f.stepBasicsWithErrors],
    ['step-auth', f.stepAuth, f.stepAuthWithErrors],
    ['step-scopes', f.stepScopes, f.stepScopesWithNotes],
    ['step-access', f.stepAccess, f.stepAccessWithErrors],
    ['step-features', f.stepFeatures, f.stepFeaturesWithErrors],
    ['step-features-notification', f.stepFeaturesNotification, f.stepFeaturesNotificationWithErrors],
  ] as const;
  const renderStep = (name: (typeof steps)[number][0], data: (typeof steps)[number][1]) => renderCard(name, data as never);

  it.each(steps)('%s has exactly the contract input ids', (name, plain) => {
    expect(inputs(renderStep(name, plain)).map((i) => i.id)).toEqual([...STEP_INPUT_IDS[name]]);
  });

  it.each(steps)('%s shows the header, and Back, Cancel and Next', (name, plain) => {
    const card = renderStep(name, plain);
    expect(texts(card)[0]).toBe(`Register an app · Step ${plain.stepNumber} of ${plain.stepCount}: ${plain.title}`);
    const expected = plain.stepNumber > 1 ? ['back', 'cancel', 'next'] : ['cancel', 'next'];
    expect((card.actions as Node[]).map((a) => (a.data as Node).action)).toEqual(expected);
    expect((card.actions as Node[]).at(-1)).toMatchObject({ title: 'Next', style: 'positive' });
  });

  it.each(steps)('%s puts each error right below its input, only when there is one', (name, plain, withErrors) => {
    const clean = renderStep(name, plain);
    expect(texts(clean)).not.toContain(f.stepBasicsWithErrors.notice);
    expect(ofType(clean, 'TextBlock').filter((t) => t.color === 'attention')).toEqual([]);

    const card = renderStep(name, withErrors);
    expect(texts(card)).toContain(withErrors.notice);
    const body = card.body as Node[];
    for (const [field, message] of Object.entries(withErrors.errors as Record<string, string>)) {
      const at = body.findIndex((o) => o.id === field);
      expect(at).toBeGreaterThan(-1);
      if (message === '') expect(body[at + 1]?.color).not.toBe('attention');
      else expect(body[at + 1]).toMatchObject({ type: 'TextBlock', text: message, color: 'attention', wrap: true });
    }
  });

  it.each(steps)('%s prefills every input with its value', (name, _plain, withValues) => {
    const card = renderStep(name, withValues);
    for (const [field, value] of Object.entries(withValues.values as Record<string, string>)) {
      expect(input(card, field)?.value).toBe(value);
    }
  });

  it('has Back from step 2 and no Back on step 1', () => {
    const first = renderCard('step-basics', { ...f.stepBasics, stepNumber: 1 });
    expect(submits(first).map((a) => (a.data as Node).action)).toEqual(['cancel', 'next']);
    expect(submits(renderCard('step-type', { ...f.stepType, stepNumber: 2 })).map((a) => (a.data as Node).action)).toEqual([
      'back',
      'cancel',
      'next',
    ]);
  });

  it('inserts user text as data: ${...} and markdown stay literal', () => {
    const tricky = '${secret} **x** ${flowId} $when ${1+1}';
    const card = renderCard('step-basics', {
      ...f.stepBasics,
      values: { ...f.stepBasics.values, appName: tricky, displayName: '_y_ [link](https://evil.example)' },
    });
    expect(input(card, 'appName')?.value).toBe(tricky);
    expect(input(card, 'displayName')?.value).toBe('_y_ [link](https://evil.example)');
    expect(validateCard(card)).toEqual({ errors: [], warnings: [] });

    const review = renderCard('review', {
      ...f.review,
      sections: [{ section: 'basics', title: 'About your app', facts: [{ title: 'App name', value: tricky }] }],
    });
    expect(ofType(review, 'FactSet')[0]?.facts).toEqual([{ title: 'App name', value: tricky }]);
  });

  it('renders app types as radio choices with a description each, and the notification note only when given', () => {
    const card = renderCard('step-type', f.stepType);
    expect(input(card, 'appType')).toMatchObject({
      type: 'Input.ChoiceSet',
      style: 'expanded',
      isRequired: true,
      choices: [
        { title: 'REST API app', value: 'rest-api' },
        { title: 'Bot add-in', value: 'bot' },
      ],
    });
    expect(texts(card)).toEqual(expect.arrayContaining(f.stepType.appTypes.map((t) => `**${t.title}**: ${t.description}`)));
    expect(texts(card)).toContain(f.stepType.notificationNote);
    const withNotification = renderCard('step-type', f.stepTypeWithError);
    expect((input(withNotification, 'appType')?.choices as Node[]).map((c) => c.value)).toEqual(['rest-api', 'bot', 'notification']);
    expect(texts(withNotification).some((t) => t.includes('deprecated and no longer'))).toBe(false);
  });

  it('labels the icon as optional unless the app type needs one', () => {
    expect(input(renderCard('step-basics', f.stepBasics), 'iconUrl')).toMatchObject({ label: 'Icon URL (optional)', isRequired: false });
    expect(input(renderCard('step-basics', f.stepBasicsWithErrors), 'iconUrl')).toMatchObject({ label: 'Icon URL', isRequired: true });
  });

  it('builds the basics inputs with limits, types and the promote toggle', () => {
    const card = renderCard('step-basics', f.stepBasics);
    expect(input(card, 'appName')).toMatchObject({ maxLength: 64, isRequired: true });
    expect(input(card, 'displayName')).toMatchObject({ maxLength: 64, isRequired: true });
    expect(input(card, 'primaryContact')).toMatchObject({ style: 'email', value: 'ada@example.com' });
    expect(input(card, 'promote')).toMatchObject({
      type: 'Input.Toggle',
      title: 'I intend to promote this app in the App Gallery',
      valueOn: 'true',
      valueOff: 'false',
      value: 'false',
    });
    expect(texts(card)).toContain('Your answer is for internal use only.');
  });

  it('explains both auth methods, redirect URI rules and refresh tokens', () => {
    const card = renderCard('step-auth', f.stepAuth);
    expect((input(card, 'authMethod')?.choices as Node[]).map((c) => [c.value, c.title])).toEqual([
      ['oauth', '3-legged OAuth flow'],
      ['jwt', 'JWT auth flow'],
    ]);
    expect(input(card, 'redirectUris')).toMatchObject({ isMultiline: true, value: f.stepAuth.values.redirectUris });
    expect(input(card, 'refreshTokens')).toMatchObject({ type: 'Input.Toggle', value: 'true' });
    expect(texts(card)).toEqual(
      expect.arrayContaining([
        'One per line, up to 10. https, or http for localhost only. Exact match, no wildcards.',
        expect.stringContaining('Issue refresh tokens: users sign in once'),
      ]),
    );
  });

  it('lists scopes as checkboxes and shows overlap and approval notes only when given', () => {
    const plain = renderCard('step-scopes', f.stepScopes);
    expect(input(plain, 'scopes')).toMatchObject({ isMultiSelect: true, style: 'expanded', value: 'ReadMessages,TeamMessaging' });
    expect((input(plain, 'scopes')?.choices as Node[]).map((c) => c.value)).toEqual(f.stepScopes.scopeChoices.map((c) => c.value));
    expect(input(plain, 'justification')).toMatchObject({ isMultiline: true });
    const notes = [...f.stepScopesWithNotes.overlapNotes, f.stepScopesWithNotes.approvalNote];
    for (const note of notes) expect(texts(plain)).not.toContain(note);
    const withNotes = renderCard('step-scopes', f.stepScopesWithNotes);
    expect(texts(withNotes)).toEqual(expect.arrayContaining(notes));
  });

  it('offers private and public access and partner checkboxes with "all" first', () => {
    const card = renderCard('step-access', f.stepAccess);
    expect((input(card, 'access')?.choices as Node[]).map((c) => c.value)).toEqual(['private', 'public']);
    expect(input(card, 'partners')).toMatchObject({ isMultiSelect: true, style: 'expanded' });
    expect((input(card, 'partners')?.choices as Node[])[0]).toEqual({
      title: 'All current and future carrier and brand partners (recommended)',
      value: 'all',
    });
    expect(texts(card).some((t) => t.startsWith('Only for public apps'))).toBe(true);
  });

  it('says who generates the shared secret, and that integrated installation is always on', () => {
    expect(texts(renderCard('step-features', f.stepFeatures))).toContain(
      'Registrar generates the shared secret and sends it with your credentials.',
    );
    const notification = renderCard('step-features-notification', f.stepFeaturesNotification);
    expect(texts(notification)).toContain('Integrated installation is always on for notification add-ins.');
    expect(input(notification, 'manualInstructions')).toMatchObject({ isMultiline: true, isRequired: true });
    expect(input(notification, 'webInstallUrl')).toMatchObject({ style: 'url' });
  });
});
