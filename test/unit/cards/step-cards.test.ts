import { describe, expect, it } from 'vitest';
import { renderCard, STEP_INPUT_IDS } from '../../../src/cards/render-card.js';
import { validateCard } from '../../../src/cards/validate-card.js';
import { input, inputs, objects, ofType, submits, texts, type Node } from './card-tree.js';
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

  /** Inputs a card has beyond the draft's fields, folded into them by the step rules. */
  const cardOnly: Record<string, string[]> = { 'step-scopes': ['approvalScopes'], 'step-access': ['partnerReach'] };

  it.each(steps)('%s has the contract input ids between its first card and its follow-up, and no others', (name, plain, withErrors) => {
    const first = inputs(renderStep(name, plain)).map((i) => i.id as string);
    const follow = inputs(renderStep(name, withErrors)).map((i) => i.id as string);
    const contract: string[] = [...STEP_INPUT_IDS[name]];
    expect([...new Set([...first, ...follow])].filter((id) => !cardOnly[name]?.includes(id)).sort()).toEqual([...contract].sort());
    for (const id of [...first, ...follow]) expect([...contract, ...(cardOnly[name] ?? [])]).toContain(id);
  });

  it('asks the fields a choice brings in only on the follow-up card of the same step', () => {
    const ids = (card: ReturnType<typeof renderCard>) => inputs(card).map((i) => i.id);
    expect(ids(renderCard('step-auth', f.stepAuth))).toEqual(['authMethod']);
    expect(ids(renderCard('step-auth', f.stepAuthOAuth))).toEqual(['redirectUris', 'refreshTokens']);
    expect(ids(renderCard('step-access', f.stepAccess))).toEqual(['access']);
    expect(ids(renderCard('step-access', f.stepAccessPartners))).toEqual(['partnerReach', 'partners']);
    expect(ids(renderCard('step-features', f.stepFeatures))).toEqual(['interactiveMessages']);
    expect(ids(renderCard('step-features', f.stepFeaturesWebhook))).toEqual(['outboundWebhookUrl']);
    expect(texts(renderCard('step-auth', f.stepAuthOAuth))[0]).toBe(texts(renderCard('step-auth', f.stepAuth))[0]);
  });

  it('labels the forward button "Back to review" when editing from the review', () => {
    const card = renderCard('step-auth', f.stepAuthOAuth);
    expect(submits(card).at(-1)).toMatchObject({ title: 'Back to review', data: { action: 'next' } });
    expect(submits(card).map((a) => a.title)).not.toContain('Next');
  });

  it.each(steps)('%s shows the header, and Back, Cancel and Next', (name, plain) => {
    const card = renderStep(name, plain);
    expect(texts(card)[0]).toBe(`Register an app · Step ${plain.stepNumber} of ${plain.stepCount}: ${plain.title}`);
    const expected = plain.stepNumber > 1 ? ['back', 'cancel', 'next'] : ['cancel', 'next'];
    expect((card.actions as Node[]).map((a) => (a.data as Node).action)).toEqual(expected);
    expect((card.actions as Node[]).at(-1)).toMatchObject({ title: plain.nextLabel, style: 'positive' });
  });

  it.each(steps)('%s puts each error right below its input, only when there is one', (name, plain, withErrors) => {
    const clean = renderStep(name, plain);
    expect(texts(clean)).not.toContain(f.stepBasicsWithErrors.notice);
    expect(ofType(clean, 'TextBlock').filter((t) => t.color === 'attention')).toEqual([]);

    const card = renderStep(name, withErrors);
    expect(texts(card)).toContain(withErrors.notice);
    // The scopes list is long: its error sits in the banner that announces it, at the top.
    const banner = name === 'step-scopes' ? ((card.body as Node[])[1]?.items as Node[]) : undefined;
    for (const [field, message] of Object.entries(withErrors.errors as Record<string, string>)) {
      if (banner && field === 'scopes') {
        if (message !== '') expect(banner).toContainEqual(expect.objectContaining({ type: 'TextBlock', text: message, color: 'attention' }));
        continue;
      }
      const list = objects(card).find((o) => Array.isArray(o.items) && (o.items as Node[]).some((i) => i.id === field))?.items as Node[] | undefined;
      const rows = list ?? (card.body as Node[]);
      const at = rows.findIndex((o) => o.id === field);
      if (at === -1) {
        expect(message).toBe(''); // a field this card does not ask shows no error either
        continue;
      }
      if (message === '') expect(rows[at + 1]?.color).not.toBe('attention');
      else expect(rows[at + 1]).toMatchObject({ type: 'TextBlock', text: message, color: 'attention', wrap: true });
    }
  });

  it.each(steps)('%s prefills every input it shows with its value', (name, plain, withValues) => {
    for (const data of [plain, withValues]) {
      const card = renderStep(name, data);
      for (const [field, value] of Object.entries(data.values as Record<string, string>)) {
        if (input(card, field)) expect(input(card, field)?.value).toBe(value);
      }
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
      sections: [{ section: 'basics', title: 'About your app', editLabel: 'Edit name and contact', facts: [{ title: 'App name', value: tricky }] }],
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

  it('explains both auth methods first, then redirect URI rules and refresh tokens for OAuth', () => {
    const card = renderCard('step-auth', f.stepAuth);
    expect((input(card, 'authMethod')?.choices as Node[]).map((c) => [c.value, c.title])).toEqual([
      ['oauth', '3-legged OAuth flow'],
      ['jwt', 'JWT auth flow'],
    ]);
    const oauth = renderCard('step-auth', f.stepAuthOAuth);
    expect(input(oauth, 'redirectUris')).toMatchObject({ isMultiline: true, isRequired: true, value: f.stepAuth.values.redirectUris });
    expect(input(oauth, 'refreshTokens')).toMatchObject({ type: 'Input.Toggle', value: 'true' });
    expect(texts(oauth)).toEqual(
      expect.arrayContaining([
        'One per line, up to 10. https, or http for localhost only. Exact match, no wildcards.',
        expect.stringContaining('Users sign in once'),
      ]),
    );
  });

  it('groups scopes granted at once apart from those an admin approves, and says who approves once', () => {
    const plain = renderCard('step-scopes', f.stepScopes);
    expect(input(plain, 'scopes')).toMatchObject({ isMultiSelect: true, style: 'expanded', value: 'ReadMessages,TeamMessaging' });
    expect((input(plain, 'scopes')?.choices as Node[]).map((c) => c.value)).toEqual(f.stepScopes.instantChoices.map((c) => c.value));
    expect((input(plain, 'approvalScopes')?.choices as Node[]).map((c) => c.value)).toEqual(['ReadAccounts']);
    expect(input(plain, 'justification')).toBeUndefined();
    expect(input(renderCard('step-scopes', f.stepScopesWithNotes), 'justification')).toMatchObject({ isMultiline: true, isRequired: true });
    expect(input(plain, 'scopes')?.label).toBe('Granted at once');
    expect(input(plain, 'approvalScopes')?.label).toBe('Need approval from an admin of this account');
    expect(JSON.stringify(plain)).not.toMatch(/RingCentral/);
    const notes = [f.stepScopesWithNotes.overlapNotes.join(' '), f.stepScopesWithNotes.summary];
    for (const note of notes) expect(texts(plain)).not.toContain(note);
    const withNotes = renderCard('step-scopes', { ...f.stepScopesWithNotes, detail: false });
    expect(texts(withNotes)).toEqual(expect.arrayContaining(notes));
    expect(texts(renderCard('step-scopes', f.stepScopesWithNotes))).toContain(f.stepScopesWithNotes.summary);
    const banner = renderCard('step-scopes', { ...f.stepScopes, notice: 'Please fix the fields marked below.', errors: { scopes: 'Choose at least one scope.', justification: '' } });
    expect((banner.body as Node[])[1]).toMatchObject({ style: 'warning', items: [{ text: 'Please fix the fields marked below.' }, { text: 'Choose at least one scope.', color: 'attention' }] });
  });

  it('offers private and public access first, then for public apps all partners or only some', () => {
    const card = renderCard('step-access', f.stepAccess);
    expect((input(card, 'access')?.choices as Node[]).map((c) => c.value)).toEqual(['private', 'public']);
    expect(input(card, 'partners')).toBeUndefined();
    const partners = renderCard('step-access', f.stepAccessPartners);
    expect((input(partners, 'partnerReach')?.choices as Node[]).map((c) => c.value)).toEqual(['all', 'only']);
    expect(input(partners, 'partnerReach')?.value).toBe('only');
    expect(input(partners, 'partners')).toMatchObject({ isMultiSelect: true, style: 'expanded', label: 'Only these partners', value: 'att,bt' });
    expect((input(partners, 'partners')?.choices as Node[]).map((c) => c.value)).not.toContain('all');
  });

  it('says who generates the shared secret, and that integrated installation is always on', () => {
    expect(texts(renderCard('step-features', f.stepFeaturesWebhook))).toContain(
      'Registrar generates the shared secret and sends it with your credentials.',
    );
    const notification = renderCard('step-features-notification', f.stepFeaturesNotification);
    expect(texts(notification)).toContain('Integrated installation is always on for notification add-ins.');
    expect(input(notification, 'manualInstructions')).toMatchObject({ isMultiline: true, isRequired: true });
    expect(input(notification, 'webInstallUrl')).toMatchObject({ style: 'url' });
  });
});
