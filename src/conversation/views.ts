import { plainText } from '../cards/plain-text.js';
import { renderCard, STEP_INPUT_IDS, type Card, type StepCardName } from '../cards/render-card.js';
import { PARTNERS, type AppDraft, type AppType, type FieldName } from '../registry/fields.js';
import type { ScopeCatalog } from '../registry/scope-catalog.js';
import { followUpOf, sectionTitle, stepFields, stepsFor } from '../registry/steps.js';
import type { StepId } from '../registry/steps.js';
import type { Flow } from './flow.js';
import { fieldsFor, overlapSentence } from './transition.js';

/**
 * Turns a flow into the card that shows it. Values shown are what the user typed on that step
 * when there is any, else the accepted answer, else a sensible default. Input values are not
 * markdown and are shown raw; error messages (which quote what was typed) and the review's answers
 * are TextBlock and Fact text, which is, so they go through plainText.
 */
export interface ViewContext {
  botId: string;
  catalog: ScopeCatalog;
  allowNotificationAddins: boolean;
}

export const APP_TYPE_LABELS: Record<AppType, string> = {
  'rest-api': 'REST API app',
  bot: 'Bot add-in',
  notification: 'Notification add-in (deprecated)',
};

const APP_TYPE_DESCRIPTIONS: Record<AppType, string> = {
  'rest-api': 'The most common type: general access to RingCentral APIs (voice, SMS, meetings, team messaging, call logs).',
  bot: 'A bot that lives in RingCentral team messaging, posts messages and cards, and answers people.',
  notification: 'Routes notifications from other systems into RingCentral. Deprecated by RingCentral.',
};

const FIELD_LABELS: Record<FieldName, string> = {
  appType: 'App type',
  appName: 'App name',
  displayName: 'Display name',
  iconUrl: 'Icon',
  primaryContact: 'Primary contact',
  promote: 'Promote in App Gallery',
  authMethod: 'Auth method',
  redirectUris: 'Redirect URIs',
  refreshTokens: 'Refresh tokens',
  scopes: 'Scopes',
  justification: 'Justification',
  access: 'Access',
  partners: 'Partners',
  interactiveMessages: 'Interactive messages',
  outboundWebhookUrl: 'Outbound webhook URL',
  manualInstructions: 'Manual install instructions',
  webInstallUrl: 'Web install URL',
};

const DEFAULTS: Partial<Record<FieldName, string>> = { promote: 'false', refreshTokens: 'false', interactiveMessages: 'false' };

/** A stored answer as the string an input shows (multi-selects comma-joined, lists one per line). */
export function asInput(field: FieldName, value: unknown): string {
  if (value === undefined || value === null) return DEFAULTS[field] ?? '';
  if (Array.isArray(value)) return value.join(field === 'redirectUris' ? '\n' : ',');
  return String(value);
}

const TOGGLES = new Set<FieldName>(['promote', 'refreshTokens', 'interactiveMessages']);

/** The values and errors a step card shows for its inputs: typed text first, else the accepted answer. */
function inputsFor(flow: Flow, card: StepCardName) {
  const typed = flow.entered[flow.step] ?? {};
  const ids: readonly FieldName[] = STEP_INPUT_IDS[card];
  const value = (f: FieldName) => {
    const v = typed[f] ?? asInput(f, flow.draft[f]);
    return TOGGLES.has(f) ? (v === 'true' ? 'true' : 'false') : v; // a toggle shows on or off, nothing else
  };
  // The card schemas check these shapes when the card is rendered.
  return {
    values: Object.fromEntries(ids.map((f) => [f, value(f)])) as never,
    errors: Object.fromEntries(ids.map((f) => [f, plainText(flow.errors[f] ?? '')])) as never,
  };
}

/** How an answer reads on the review card. */
export function describeAnswer(field: FieldName, draft: Partial<AppDraft>, _catalog: ScopeCatalog): string {
  const v = draft[field];
  if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) return '—';
  switch (field) {
    case 'appType':
      return APP_TYPE_LABELS[v as AppType];
    case 'authMethod':
      return v === 'oauth' ? '3-legged OAuth' : 'JWT';
    case 'access':
      return v === 'public' ? 'Public' : 'Private';
    case 'partners':
      return v === 'all' ? 'All current and future partners' : (v as string[]).map((id) => PARTNERS.find((p) => p.id === id)?.name ?? id).join(', ');
    case 'scopes':
      return (v as string[]).join(', ');
    case 'redirectUris':
      return (v as string[]).join('\n');
    default:
      return typeof v === 'boolean' ? (v ? 'Yes' : 'No') : String(v);
  }
}

/** Who approves, said the same way on the form's cards (the label of the scopes that need it). */
export const APPROVER_SENTENCE = 'Need approval from an admin of this account';

/** A scope checkbox: its name and what it allows (one line at chat width, mostly). */
function scopeChoice(catalog: ScopeCatalog, name: string) {
  const s = catalog.get(name)!;
  return { value: s.name, title: `${s.name}: ${s.description}` };
}

/** The chosen scopes in a line: names while few, counts once the names would fill the card. */
function chosenSummary(chosen: readonly string[], needApproval: readonly string[]): string {
  if (!chosen.length) return '';
  const granted = chosen.filter((s) => !needApproval.includes(s));
  if (chosen.length > 8) return `Chosen: ${granted.length} granted at once, ${needApproval.length} awaiting an admin.`;
  return `Chosen: ${granted.join(', ') || 'none granted at once'}${needApproval.length ? `; awaiting an admin: ${needApproval.join(', ')}` : ''}.`;
}

/** Above the justification: which scopes need it, in the number they are, and whether others were granted. */
function justificationNote(needApproval: readonly string[], grantedCount: number): string {
  const one = needApproval.length === 1;
  return `${one ? `${needApproval[0]} needs` : 'These scopes need'} approval from an admin of this account: explain why your app needs ${one ? 'it' : 'them'}.${grantedCount > 0 ? ' The others are granted at once.' : ''}`;
}

/** What a group's scopes include, in one line under the group: "Includes: SMS → ReadMessages; …". */
function includesLine(scopes: readonly { name: string; includes: string[] }[]): string {
  const parts = scopes.filter((s) => s.includes.length).map((s) => `${s.name} → ${s.includes.join(', ')}`);
  return parts.length ? `Includes: ${parts.join('; ')}.` : '';
}

/** The review's facts for one section; scopes split into those granted at once and those awaiting an admin. */
function reviewFacts(step: StepId, flow: Flow, catalog: ScopeCatalog): { title: string; value: string }[] {
  const draft = flow.draft;
  const applies = fieldsFor(draft.appType as AppType);
  const fact = (title: string, value: string) => ({ title, value: plainText(value, { keepLines: true }) });
  if (step === 'scopes') {
    const chosen = draft.scopes ?? [];
    const needs = catalog.requiresApproval(chosen);
    const facts = [fact('Granted at once', listSummary(chosen.filter((s) => !needs.includes(s)), ', ', REVIEW_MAX.scopes) || '—')];
    if (needs.length) facts.push(fact('Awaiting an admin', listSummary(needs, ', ', REVIEW_MAX.scopes)));
    if (draft.justification) facts.push(fact('Justification', textSummary(draft.justification, REVIEW_MAX.textChars)));
    return facts;
  }
  return stepFields(step)
    .filter((f) => draft[f] !== undefined && applies.has(f))
    // Bots and add-ins are installed into accounts; only a REST API app is signed into.
    .map((f) => fact(f === 'access' && draft.appType !== 'rest-api' ? 'Who can install it' : (REVIEW_LABELS[f] ?? FIELD_LABELS[f]), reviewAnswer(f, draft, catalog)));
}

/**
 * How long a list or text may run on the review before it is summarised, so the review fits about
 * one screen whatever was chosen: the full answers are one "Edit …" click away.
 */
const REVIEW_MAX = { scopes: 10, redirectUris: 2, partners: 6, textChars: 120, urlChars: 48 };

/** The first `max` items and "and N more" (said only when at least two would be hidden). */
export function listSummary(items: readonly string[], separator: string, max: number): string {
  if (items.length <= max + 1) return items.join(separator);
  return `${items.slice(0, max).join(separator)}${separator === '\n' ? '\n' : ' '}and ${items.length - max} more`;
}

/** Text cut at a word boundary near `max` characters, with an ellipsis. */
export function textSummary(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** A long URL as its beginning and its end ("https://hooks.example.com/reg…/interactive"), about one line of the review. */
export function urlSummary(url: string, max = REVIEW_MAX.urlChars): string {
  const chars = [...url];
  if (chars.length <= max) return url;
  const tail = Math.floor(max / 3);
  return `${chars.slice(0, max - tail - 1).join('')}…${chars.slice(-tail).join('')}`;
}

/** An answer as the review shows it: long lists and texts summarised, a private app's promote explained. */
function reviewAnswer(field: FieldName, draft: Partial<AppDraft>, catalog: ScopeCatalog): string {
  switch (field) {
    case 'redirectUris':
      return listSummary((draft.redirectUris ?? []).map((u) => urlSummary(u)), '\n', REVIEW_MAX.redirectUris) || '—';
    case 'iconUrl':
    case 'outboundWebhookUrl':
    case 'webInstallUrl':
      return draft[field] ? urlSummary(draft[field]) : '—';
    case 'partners':
      return Array.isArray(draft.partners)
        ? listSummary(draft.partners.map((id) => PARTNERS.find((p) => p.id === id)?.name ?? id), ', ', REVIEW_MAX.partners)
        : describeAnswer(field, draft, catalog);
    case 'manualInstructions':
      return draft.manualInstructions ? textSummary(draft.manualInstructions, REVIEW_MAX.textChars) : '—';
    case 'promote':
      // Only public apps are listed in the App Gallery: a private app's "yes" is an intent for later.
      return draft.promote && draft.access === 'private' ? 'Yes, once the app is public; a private app is not listed' : describeAnswer(field, draft, catalog);
    default:
      return describeAnswer(field, draft, catalog);
  }
}

/** Fact titles on the review where the field's own label would repeat the section's title. */
const REVIEW_LABELS: Partial<Record<FieldName, string>> = { appType: 'Type', authMethod: 'Method', access: 'Who can sign in' };

const EDIT_LABELS: Record<StepId, string> = {
  type: 'Edit app type',
  basics: 'Edit name and contact',
  auth: 'Edit authentication',
  scopes: 'Edit scopes',
  access: 'Edit access',
  features: 'Edit features',
  review: 'Review',
};

/** A REST API app is signed into; bots and add-ins are installed into accounts. */
const ACCESS_WORDS = {
  signIn: {
    intro: '"Public" and "private" decide whose RingCentral credentials can sign in to your app.',
    label: 'Who can sign in?',
    private: 'Private: only credentials from your own account can sign in',
    public: 'Public: any RingCentral customer can sign in',
  },
  install: {
    intro: '"Public" and "private" decide which RingCentral accounts can install your app.',
    label: 'Who can install it?',
    private: 'Private: only your own account can install it',
    public: 'Public: any RingCentral customer can install it',
  },
};

/** A field's label as the form shows it ("Redirect URIs"). */
export const fieldLabel = (field: FieldName): string => FIELD_LABELS[field];

/** The heading of every card of the form: what the form does (user text, so as text). */
const headingOf = (flow: Flow) => (flow.editing ? `Edit ${plainText(flow.editing.appName)}` : 'Register an app');

export function flowCard(flow: Flow, ctx: ViewContext): Card {
  const steps = flow.draft.appType ? stepsFor(flow.draft.appType as AppType) : ['type' as const];
  const base = {
    heading: headingOf(flow),
    flowId: flow.id,
    version: String(flow.version),
    botId: ctx.botId,
    stepNumber: Math.max(1, steps.indexOf(flow.step) + 1),
    // Before the type is chosen the length is unknown; the REST API path is the longest.
    stepCount: flow.draft.appType ? steps.length : stepsFor('rest-api').length,
    title: sectionTitle(flow.step),
    notice: flow.notice,
    // Editing from the review returns there. The first card of a step that can have a follow-up says
    // "Continue": whether the follow-up comes depends on the answer given, not on the one shown now.
    nextLabel: !flow.returnToReview ? 'Next' : !flow.detail && followUpOf(flow.step) !== undefined ? 'Continue' : 'Back to review',
  };
  const form = (card: StepCardName) => ({ ...base, ...inputsFor(flow, card) });
  switch (flow.step) {
    case 'type': {
      const types = (['rest-api', 'bot', 'notification'] as const).filter((t) => t !== 'notification' || ctx.allowNotificationAddins);
      return renderCard('step-type', {
        ...form('step-type'),
        appTypes: types.map((t) => ({ value: t, title: APP_TYPE_LABELS[t], description: APP_TYPE_DESCRIPTIONS[t] })),
        notificationNote: ctx.allowNotificationAddins
          ? 'Notification add-ins are deprecated by RingCentral: choose one only to maintain an existing integration.'
          : 'Notification add-ins are deprecated by RingCentral and cannot be registered here. Ask your admin if you need one.',
      });
    }
    case 'basics':
      return renderCard('step-basics', {
        ...form('step-basics'),
        iconRequired: flow.draft.appType !== 'rest-api',
      });
    case 'auth':
      return renderCard('step-auth', { ...form('step-auth'), detail: flow.detail === true });
    case 'scopes': {
      const scopes = form('step-scopes');
      const values = scopes.values as { scopes: string; justification: string };
      const chosen = values.scopes.split(',').map((s) => s.trim()).filter((s) => ctx.catalog.get(s));
      const needApproval = ctx.catalog.requiresApproval(chosen);
      const all = ctx.catalog.all();
      return renderCard('step-scopes', {
        ...scopes,
        values: { ...values, scopes: chosen.filter((s) => !needApproval.includes(s)).join(',') } as never,
        detail: flow.detail === true,
        approvalValue: needApproval.join(','),
        instantChoices: all.filter((s) => !s.requiresApproval).map((s) => scopeChoice(ctx.catalog, s.name)),
        approvalChoices: all.filter((s) => s.requiresApproval).map((s) => scopeChoice(ctx.catalog, s.name)),
        instantIncludes: includesLine(all.filter((s) => !s.requiresApproval)),
        approvalIncludes: includesLine(all.filter((s) => s.requiresApproval)),
        summary: chosenSummary(chosen, needApproval),
        overlapNotes: [overlapSentence(ctx.catalog, chosen)].filter(Boolean),
        approvalNote: APPROVER_SENTENCE,
        justificationNote: justificationNote(needApproval, chosen.length - needApproval.length),
      });
    }
    case 'access': {
      const access = form('step-access');
      const partners = (access.values as { partners: string }).partners;
      return renderCard('step-access', {
        ...access,
        values: { ...(access.values as object), partners: partners === 'all' ? '' : partners } as never,
        detail: flow.detail === true,
        partnerReach: partners === 'all' ? 'all' : partners ? 'only' : '',
        partnerChoices: PARTNERS.map((p) => ({ value: p.id, title: p.name })),
        accessWords: flow.draft.appType === 'rest-api' ? ACCESS_WORDS.signIn : ACCESS_WORDS.install,
      });
    }
    case 'features':
      // Notification add-ins describe their installation; the others choose interactive messages.
      return flow.draft.appType === 'notification'
        ? renderCard('step-features-notification', form('step-features-notification'))
        : renderCard('step-features', { ...form('step-features'), detail: flow.detail === true });
    case 'review':
      return renderCard('review', {
        flowId: base.flowId,
        version: base.version,
        botId: base.botId,
        notice: flow.notice,
        heading: base.heading,
        ...(flow.editing
          ? { intro: 'These are the app\'s settings now. Edit any section, then save: nothing changes until you do.', submitLabel: 'Save changes', canGoBack: false }
          : {}),
        sections: steps
          .filter((s) => s !== 'review')
          // An app's type cannot change: an edit shows it without an edit button.
          .map((s) =>
            flow.editing && s === 'type'
              ? { section: s, title: `${sectionTitle(s)} (cannot change)`, editLabel: '', facts: reviewFacts(s, flow, ctx.catalog) }
              : { section: s, title: sectionTitle(s), editLabel: EDIT_LABELS[s], facts: reviewFacts(s, flow, ctx.catalog) },
          )
          .map((s) => (s.facts.length ? s : { ...s, facts: [{ title: 'Nothing to set', value: '—' }] })),
      });
  }
}

/** The card a closed form leaves; an edit's (`editing`) says nothing was changed and how to edit again. */
export function closedCard(kind: 'cancelled' | 'expired' | 'moved', detail = '', editing?: Flow['editing']): Card {
  if (editing && kind !== 'moved') {
    const name = plainText(editing.appName);
    return kind === 'cancelled'
      ? renderCard('flow-closed', { title: 'Edit cancelled', message: `Nothing was changed: ${name} is as it was.`, tone: 'default' })
      : renderCard('flow-closed', { title: 'This form expired', message: `It was left unsaved for too long, so nothing was changed. ${detail}Type **edit app ${name}** to start again.`, tone: 'attention' });
  }
  const cards = {
    cancelled: { title: 'Registration cancelled', message: 'Nothing was registered. Type **create app** to start again.', tone: 'default' },
    expired: { title: 'This form expired', message: `It was left unfinished for too long, so nothing was registered. ${detail}Type **create app** to start again.`, tone: 'attention' },
    moved: { title: 'This form has moved on', message: 'It continues in the newer card below.', tone: 'default' },
  } as const;
  return renderCard('flow-closed', { ...cards[kind] });
}
