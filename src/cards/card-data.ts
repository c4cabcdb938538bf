import { z } from 'zod';

/**
 * The view model each card template binds to, one zod schema per template in cards/.
 * adaptivecards-templating leaves a binding whose value is undefined as literal `${...}` text, so
 * every field a template reads is required here and renderCard checks the data before expanding.
 * Objects are strict: a misspelt or stray field (a secret handed to credentials-hidden, say) fails
 * loudly instead of being ignored.
 */

/** A field as the user typed it ('' when empty). */
const entered = z.string();
/** An Input.Toggle value (valueOn "true", valueOff "false"). */
const toggle = z.enum(['true', 'false']);
/** A field's error message, '' when the field is fine. */
const message = z.string();
const choice = z.strictObject({ value: z.string().min(1), title: z.string().min(1) });

/** What every form step card shows: header, notice, and the ids each Action.Submit carries. */
const formBase = {
  /** What the form does, before the step: "Register an app", or "Edit <app>" (markdown-safe text). */
  heading: z.string().min(1).default('Register an app'),
  flowId: z.string().min(1),
  version: z.string().min(1),
  botId: z.string().min(1),
  stepNumber: z.number().int().min(1),
  stepCount: z.number().int().min(1),
  title: z.string().min(1),
  notice: z.string(),
  /** The forward button: "Next", or "Back to review" while editing from the review. */
  nextLabel: z.string().min(1),
};

/** A form step: the shared fields, `values` and `errors` keyed by exactly the step's input ids, and extras. */
function formStep<F extends Record<string, typeof entered | typeof toggle>, X extends z.ZodRawShape>(fields: F, extra: X) {
  const errors = Object.fromEntries(Object.keys(fields).map((id) => [id, message])) as { [K in keyof F]: typeof message };
  return z.strictObject({ ...formBase, values: z.strictObject(fields), errors: z.strictObject(errors), ...extra });
}

export const stepTypeSchema = formStep(
  { appType: entered },
  {
    appTypes: z.array(z.strictObject({ value: z.string().min(1), title: z.string().min(1), description: z.string().min(1) })).min(1),
    notificationNote: z.string(),
  },
);

export const stepBasicsSchema = formStep(
  { appName: entered, displayName: entered, iconUrl: entered, primaryContact: entered, promote: toggle },
  { iconRequired: z.boolean() },
);

/** `detail`: the step's follow-up card (OAuth details, partners, webhook URL) rather than its first card. */
export const stepAuthSchema = formStep({ authMethod: entered, redirectUris: entered, refreshTokens: toggle }, { detail: z.boolean() });

export const stepScopesSchema = formStep(
  { scopes: entered, justification: entered },
  {
    /** The follow-up card: the justification for the chosen scopes that need approval. */
    detail: z.boolean(),
    /** Scopes granted at once (input `scopes`) and scopes an admin approves (input `approvalScopes`). */
    instantChoices: z.array(choice),
    approvalChoices: z.array(choice),
    /** What the scopes of each group include, in one line ('' when none include another). */
    instantIncludes: z.string(),
    approvalIncludes: z.string(),
    /** The chosen scopes of the approval group, comma-joined (the `scopes` value holds the others). */
    approvalValue: z.string(),
    /** The chosen scopes in one line, '' when none. */
    summary: z.string(),
    overlapNotes: z.array(z.string().min(1)),
    approvalNote: z.string(),
    justificationNote: z.string(),
  },
);

export const stepAccessSchema = formStep(
  { access: entered, partners: entered },
  {
    detail: z.boolean(),
    partnerReach: z.enum(['all', 'only', '']),
    partnerChoices: z.array(choice).min(1),
    accessWords: z.strictObject({ intro: z.string().min(1), label: z.string().min(1), private: z.string().min(1), public: z.string().min(1) }),
  },
);

export const stepFeaturesSchema = formStep({ interactiveMessages: toggle, outboundWebhookUrl: entered }, { detail: z.boolean() });

export const stepFeaturesNotificationSchema = formStep({ manualInstructions: entered, webInstallUrl: entered }, {});

export const reviewSchema = z.strictObject({
  flowId: formBase.flowId,
  version: formBase.version,
  botId: formBase.botId,
  notice: z.string(),
  heading: formBase.heading,
  intro: z.string().min(1).default('Check your answers, edit any section, then register the app.'),
  /** The submit button: "Register app", or "Save changes" when editing an app. */
  submitLabel: z.string().min(1).default('Register app'),
  /** False when editing an app: the form starts at the review, so there is nothing to go back to. */
  canGoBack: z.boolean().default(true),
  sections: z
    .array(
      z.strictObject({
        section: z.string().min(1),
        title: z.string().min(1),
        /** The section's edit button, e.g. "Edit scopes"; '' for none (an app's type, when editing it). */
        editLabel: z.string(),
        facts: z.array(z.strictObject({ title: z.string().min(1), value: z.string() })).min(1),
      }),
    )
    .min(1),
});

export const flowClosedSchema = z.strictObject({
  title: z.string().min(1),
  message: z.string().min(1),
  tone: z.enum(['good', 'attention', 'default']),
  /** What a closed form did, one fact a line (an edit's changes); none by default. */
  facts: z.array(z.strictObject({ title: z.string().min(1), value: z.string() })).default([]),
});

const credentialsBase = {
  appName: z.string().min(1),
  appTypeLabel: z.string().min(1),
  clientId: z.string().min(1),
  grantedScopes: z.array(z.string().min(1)),
  /** Scopes awaiting an admin's approval; the section is shown only when non-empty. */
  pendingScopes: z.array(z.string().min(1)),
  /** One entry per line; each line's runs are plain text or code style (TextRuns: not markdown). */
  nextSteps: z
    .array(z.strictObject({ runs: z.array(z.strictObject({ text: z.string().min(1), font: z.enum(['default', 'monospace']) })).min(1) }))
    .min(1),
};

export const credentialsSchema = z.strictObject({
  ...credentialsBase,
  clientSecret: z.string().min(1),
  /** '' when the app has no shared secret (no interactive messages). */
  sharedSecret: z.string(),
  hideAtText: z.string().min(1),
});

/** After the hide deadline: the same card with no secret in the data at all. */
export const credentialsHiddenSchema = z.strictObject({
  ...credentialsBase,
  /** Its "Rotate client secret" button names the bot (the submit is routed by it). */
  botId: z.string().min(1),
  /** Which secrets were hidden (the shared secret too, when the app has one). */
  hiddenText: z.string().min(1),
  /** The last decision on the app's scope request, drawn in place when an admin decides. */
  hasDecision: z.boolean(),
  decisionTitle: z.string(),
  decisionColor: z.enum(['good', 'warning', 'attention', 'default']),
  decisionApproved: z.array(z.string().min(1)),
  decisionNotGranted: z.array(z.string().min(1)),
});

export const noticeSchema = z.strictObject({ title: z.string().min(1), message: z.string().min(1) });

/** A one-line stub, e.g. the card a form leaves behind when it is posted again. */
export const flowMovedSchema = z.strictObject({ text: z.string().min(1) });

const fact = z.strictObject({ title: z.string().min(1), value: z.string() });
const tone = z.enum(['good', 'attention', 'warning', 'default']);

/** The admin channel's card for one approval request. */
export const approvalRequestSchema = z.strictObject({
  requestId: z.string().min(1),
  botId: z.string().min(1),
  notice: z.string(),
  requesterName: z.string().min(1),
  appName: z.string().min(1),
  scopeCount: z.number().int().min(1),
  facts: z.array(fact).min(1),
  justification: z.string().min(1),
  scopeChoices: z.array(choice).min(1),
  /** The multi-select's initial value: every requested scope, comma-joined. Each choice's title carries the scope's description. */
  approvedScopes: z.string().min(1),
});

/** The admin card after the request left the open state (decided, expired, raised again). */
export const approvalStatusSchema = z.strictObject({ title: z.string().min(1), tone, message: z.string(), facts: z.array(fact).min(1) });

/** The requester's message about a decision; an expired request offers to ask again. */
export const approvalOutcomeSchema = z.strictObject({
  title: z.string().min(1),
  tone,
  message: z.string(),
  facts: z.array(fact).min(1),
  canAskAgain: z.boolean(),
  /** What "Ask again" asks for: the scopes, or the app's review for going public. */
  kind: z.enum(['scopes', 'public']).default('scopes'),
  clientId: z.string().min(1),
  botId: z.string().min(1),
});

/** The admin channel's card for a public app's review: the app's full summary, approve or reject with a reason. */
export const publicReviewRequestSchema = z.strictObject({
  requestId: z.string().min(1),
  botId: z.string().min(1),
  notice: z.string(),
  requesterName: z.string().min(1),
  appName: z.string().min(1),
  facts: z.array(fact).min(1),
});

/** Who may register (src/access/): a person's request for access, in the admin channel. */
export const accessRequestSchema = z.strictObject({
  requestId: z.string().min(1),
  botId: z.string().min(1),
  personName: z.string().min(1),
  facts: z.array(fact).min(1),
});

/** The answer to someone who may not register: why, and a button that asks the admins. */
export const accessNeededSchema = z.strictObject({
  title: z.string().min(1),
  message: z.string().min(1),
  canRequest: z.boolean(),
  botId: z.string().min(1),
});

/** The owner's list of apps (my apps): ten a page, each with an Open button. */
export const myAppsSchema = z.strictObject({
  ownerId: z.string().min(1),
  botId: z.string().min(1),
  title: z.string().min(1),
  notice: z.string(),
  apps: z.array(
    z.strictObject({
      appName: z.string().min(1),
      subtitle: z.string().min(1),
      tone: z.enum(['default', 'good', 'warning', 'attention']),
      facts: z.array(fact).min(1),
      clientId: z.string().min(1),
      openTitle: z.string().min(1),
    }),
  ),
  hasPrevious: z.boolean(),
  hasNext: z.boolean(),
  previousPage: z.string(),
  nextPage: z.string(),
});

/** One app: its owner's view (rotate, revoke, hand over, edit, delete) or the admins' (suspend, reinstate). */
export const appDetailSchema = z.strictObject({
  clientId: z.string().min(1),
  botId: z.string().min(1),
  /** What the card shows, fingerprinted: a click on a card of an older state is refused. */
  stamp: z.string().min(1),
  appName: z.string().min(1),
  subtitle: z.string().min(1),
  statusText: z.string().min(1),
  statusTone: z.enum(['default', 'good', 'warning', 'attention', 'emphasis']),
  notice: z.string(),
  facts: z.array(fact).min(1),
  secrets: z.array(
    z.strictObject({
      label: z.string().min(1),
      detail: z.string().min(1),
      revokeTitle: z.string().min(1),
      secretId: z.string().min(1),
      kind: z.enum(['client', 'shared']),
    }),
  ),
  ownerView: z.boolean(),
  /** Offer and delete: not while an admin has the app suspended. */
  canHandOver: z.boolean(),
  canEdit: z.boolean(),
  canRotate: z.boolean(),
  rotateText: z.string(),
  canRotateShared: z.boolean(),
  sharedRotateText: z.string(),
  adminView: z.boolean(),
  reasonLabel: z.string(),
  canSuspend: z.boolean(),
  canReinstate: z.boolean(),
});

/** Deleting an app asks first, on a card of its own. */
export const appConfirmDeleteSchema = z.strictObject({
  appName: z.string().min(1),
  message: z.string().min(1),
  clientId: z.string().min(1),
  botId: z.string().min(1),
  stamp: z.string().min(1),
});

/** A rotated secret, shown once (as the credentials card at registration). */
export const secretIssuedSchema = z.strictObject({
  appName: z.string().min(1),
  kindLabel: z.enum(['client secret', 'shared secret']),
  clientId: z.string().min(1),
  secretTitle: z.string().min(1),
  secret: z.string().min(1),
  previousText: z.string().min(1),
  hideAtText: z.string().min(1),
});

/** The same card once the secret is hidden: no secret in its data. */
export const secretHiddenSchema = z.strictObject({
  appName: z.string().min(1),
  kindLabel: z.enum(['client secret', 'shared secret']),
  clientId: z.string().min(1),
  hiddenText: z.string().min(1),
});

/** A hand-over offer, in the proposed owner's direct chat; its buttons go once it is answered. */
export const transferOfferSchema = z.strictObject({
  title: z.string().min(1),
  message: z.string().min(1),
  facts: z.array(fact).min(1),
  open: z.boolean(),
  clientId: z.string().min(1),
  offerId: z.string().min(1),
  botId: z.string().min(1),
});

/** Template name (cards/<name>.json) → the schema of its data. */
export const cardSchemas = {
  'step-type': stepTypeSchema,
  'step-basics': stepBasicsSchema,
  'step-auth': stepAuthSchema,
  'step-scopes': stepScopesSchema,
  'step-access': stepAccessSchema,
  'step-features': stepFeaturesSchema,
  'step-features-notification': stepFeaturesNotificationSchema,
  review: reviewSchema,
  'flow-closed': flowClosedSchema,
  credentials: credentialsSchema,
  'credentials-hidden': credentialsHiddenSchema,
  notice: noticeSchema,
  'flow-moved': flowMovedSchema,
  'approval-request': approvalRequestSchema,
  'approval-status': approvalStatusSchema,
  'approval-outcome': approvalOutcomeSchema,
  'public-review-request': publicReviewRequestSchema,
  'access-request': accessRequestSchema,
  'access-needed': accessNeededSchema,
  'my-apps': myAppsSchema,
  'app-detail': appDetailSchema,
  'app-confirm-delete': appConfirmDeleteSchema,
  'secret-issued': secretIssuedSchema,
  'secret-hidden': secretHiddenSchema,
  'transfer-offer': transferOfferSchema,
} as const;

export type CardName = keyof typeof cardSchemas;
export const CARD_NAMES = Object.keys(cardSchemas) as CardName[];
/** The data each card takes, by name. */
export type CardData = { [N in CardName]: z.input<(typeof cardSchemas)[N]> };

export type StepTypeData = z.input<typeof stepTypeSchema>;
export type StepBasicsData = z.input<typeof stepBasicsSchema>;
export type StepAuthData = z.input<typeof stepAuthSchema>;
export type StepScopesData = z.input<typeof stepScopesSchema>;
export type StepAccessData = z.input<typeof stepAccessSchema>;
export type StepFeaturesData = z.input<typeof stepFeaturesSchema>;
export type StepFeaturesNotificationData = z.input<typeof stepFeaturesNotificationSchema>;
export type ReviewData = z.input<typeof reviewSchema>;
export type FlowClosedData = z.input<typeof flowClosedSchema>;
export type CredentialsData = z.input<typeof credentialsSchema>;
export type CredentialsHiddenData = z.input<typeof credentialsHiddenSchema>;
export type NoticeData = z.input<typeof noticeSchema>;
export type ApprovalRequestData = z.input<typeof approvalRequestSchema>;
export type ApprovalStatusData = z.input<typeof approvalStatusSchema>;
export type ApprovalOutcomeData = z.input<typeof approvalOutcomeSchema>;
export type MyAppsData = z.input<typeof myAppsSchema>;
export type AppDetailData = z.input<typeof appDetailSchema>;

/** The form step cards (each has the shared header, values, errors and Back/Cancel/Next). */
export type StepCardName = Exclude<
  CardName,
  | 'review'
  | 'flow-closed'
  | 'flow-moved'
  | 'credentials'
  | 'credentials-hidden'
  | 'notice'
  | 'approval-request'
  | 'approval-status'
  | 'approval-outcome'
  | 'public-review-request'
  | 'access-request'
  | 'access-needed'
  | 'my-apps'
  | 'app-detail'
  | 'app-confirm-delete'
  | 'secret-issued'
  | 'secret-hidden'
  | 'transfer-offer'
>;

/** Input ids per step card: a contract with the flow, which reads submitted values by these ids. */
export const STEP_INPUT_IDS = {
  'step-type': ['appType'],
  'step-basics': ['appName', 'displayName', 'iconUrl', 'primaryContact', 'promote'],
  'step-auth': ['authMethod', 'redirectUris', 'refreshTokens'],
  'step-scopes': ['scopes', 'justification'],
  'step-access': ['access', 'partners'],
  'step-features': ['interactiveMessages', 'outboundWebhookUrl'],
  'step-features-notification': ['manualInstructions', 'webInstallUrl'],
} as const satisfies { [N in StepCardName]: readonly (keyof CardData[N]['values'])[] };
