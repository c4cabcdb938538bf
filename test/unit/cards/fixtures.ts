import type {
  CardData,
  CardName,
  CredentialsData,
  ReviewData,
  StepAccessData,
  StepAuthData,
  StepBasicsData,
  StepFeaturesData,
  StepFeaturesNotificationData,
  StepScopesData,
  StepTypeData,
} from '../../../src/cards/render-card.js';

/** Realistic view models for every card, in the states the flow produces. */

const ids = { flowId: 'flow-7f3a', version: '4', botId: '830119004' };
const header = (stepNumber: number, title: string) => ({ ...ids, stepNumber, stepCount: 6, title, notice: '', nextLabel: 'Next' });
const fix = 'Please fix the fields marked below.';

const appTypes = [
  { value: 'rest-api', title: 'REST API app', description: 'General access to RingCentral APIs: voice, SMS, meetings, team messaging and more.' },
  { value: 'bot', title: 'Bot add-in', description: 'A bot that lives in RingCentral team messaging.' },
];

export const stepType: StepTypeData = {
  ...header(1, 'App type'),
  values: { appType: '' },
  errors: { appType: '' },
  appTypes,
  notificationNote: 'Notification add-ins are deprecated and no longer available to new apps.',
};
export const stepTypeWithError: StepTypeData = {
  ...stepType,
  notice: fix,
  errors: { appType: 'Choose an app type.' },
  notificationNote: '',
  appTypes: [
    ...appTypes,
    { value: 'notification', title: 'Notification add-in (deprecated)', description: 'Routes notifications from other systems into RingCentral.' },
  ],
};

export const stepBasics: StepBasicsData = {
  ...header(2, 'About your app'),
  values: { appName: '', displayName: '', iconUrl: '', primaryContact: 'ada@example.com', promote: 'false' },
  errors: { appName: '', displayName: '', iconUrl: '', primaryContact: '', promote: '' },
  iconRequired: false,
};
export const stepBasicsWithErrors: StepBasicsData = {
  ...stepBasics,
  notice: fix,
  iconRequired: true,
  values: { appName: 'x'.repeat(70), displayName: 'Expense Bot', iconUrl: 'ftp://icon', primaryContact: 'ada@', promote: 'true' },
  errors: {
    appName: 'At most 64 characters.',
    displayName: '',
    iconUrl: 'Bots need an https icon URL.',
    primaryContact: 'Enter a valid email address.',
    promote: '',
  },
};

export const stepAuth: StepAuthData = {
  ...header(3, 'Authentication'),
  values: { authMethod: 'oauth', redirectUris: 'https://app.example.com/cb\nhttp://localhost:3000/cb', refreshTokens: 'true' },
  errors: { authMethod: '', redirectUris: '', refreshTokens: '' },
  detail: false,
};
/** The OAuth follow-up card, reached from the review: the forward button goes back there. */
export const stepAuthOAuth: StepAuthData = { ...stepAuth, detail: true, nextLabel: 'Back to review' };
export const stepAuthWithErrors: StepAuthData = {
  ...stepAuth,
  detail: true,
  notice: fix,
  values: { authMethod: 'oauth', redirectUris: 'https://*.example.com/cb', refreshTokens: 'false' },
  errors: { authMethod: '', redirectUris: 'Wildcards are not allowed: https://*.example.com/cb', refreshTokens: '' },
};

export const stepScopes: StepScopesData = {
  ...header(4, 'Scopes'),
  values: { scopes: 'ReadMessages,TeamMessaging', justification: '' },
  errors: { scopes: '', justification: '' },
  instantChoices: [
    { value: 'ReadMessages', title: 'ReadMessages: Read messages' },
    { value: 'EditMessages', title: 'EditMessages: Edit messages' },
    { value: 'TeamMessaging', title: 'TeamMessaging: Post and read in team messaging' },
  ],
  approvalChoices: [{ value: 'ReadAccounts', title: 'ReadAccounts: Read account information' }],
  detail: false,
  instantIncludes: 'Includes: EditMessages → ReadMessages.',
  approvalIncludes: '',
  approvalValue: '',
  summary: '',
  overlapNotes: [],
  approvalNote: 'Need approval from an admin of this account',
  justificationNote: 'These scopes need approval from an admin of this account: explain why your app needs them. The others are granted at once.',
};
/** The justification follow-up, with an error and the chosen scopes summed up. */
export const stepScopesWithNotes: StepScopesData = {
  ...stepScopes,
  detail: true,
  notice: fix,
  values: { scopes: 'ReadMessages,EditMessages', justification: 'too short' },
  errors: { scopes: '', justification: 'ReadAccounts requires approval. At least 30 characters, please.' },
  approvalValue: 'ReadAccounts',
  summary: 'Chosen: ReadMessages, EditMessages; awaiting an admin: ReadAccounts.',
  overlapNotes: ['EditMessages already includes ReadMessages.', 'TeamMessaging already includes ReadMessages.'],
};

const partnerChoices = [
  { value: 'att', title: 'AT&T Office@Hand' },
  { value: 'bt', title: 'BT Cloud Work' },
  { value: 'telus', title: 'TELUS Business Connect' },
];
export const stepAccess: StepAccessData = {
  ...header(5, 'Access'),
  values: { access: '', partners: '' },
  errors: { access: '', partners: '' },
  detail: false,
  partnerReach: '',
  partnerChoices,
  accessWords: {
    intro: '"Public" and "private" decide whose RingCentral credentials can sign in to your app.',
    label: 'Who can sign in?',
    private: 'Private: only credentials from your own account can sign in',
    public: 'Public: any RingCentral customer can sign in',
  },
};
/** The partners follow-up of a public app, limited to some partners. */
export const stepAccessPartners: StepAccessData = { ...stepAccess, detail: true, values: { access: 'public', partners: 'att,bt' }, partnerReach: 'only' };
export const stepAccessWithErrors: StepAccessData = {
  ...stepAccess,
  detail: true,
  notice: fix,
  values: { access: 'public', partners: '' },
  partnerReach: 'only',
  errors: { access: '', partners: 'Choose all partners, or at least one specific partner.' },
};

export const stepFeatures: StepFeaturesData = {
  ...header(6, 'Features'),
  values: { interactiveMessages: 'true', outboundWebhookUrl: 'https://bot.example.com/interactive' },
  errors: { interactiveMessages: '', outboundWebhookUrl: '' },
  detail: false,
};
/** The webhook follow-up, shown once interactive messages are on. */
export const stepFeaturesWebhook: StepFeaturesData = { ...stepFeatures, detail: true };
export const stepFeaturesWithErrors: StepFeaturesData = {
  ...stepFeatures,
  detail: true,
  notice: fix,
  values: { interactiveMessages: 'true', outboundWebhookUrl: 'http://10.0.0.5/hook' },
  errors: { interactiveMessages: '', outboundWebhookUrl: 'Use https on a public host.' },
};

export const stepFeaturesNotification: StepFeaturesNotificationData = {
  ...header(6, 'Features'),
  values: { manualInstructions: '', webInstallUrl: '' },
  errors: { manualInstructions: '', webInstallUrl: '' },
};
export const stepFeaturesNotificationWithErrors: StepFeaturesNotificationData = {
  ...stepFeaturesNotification,
  notice: fix,
  values: { manualInstructions: '', webInstallUrl: 'example.com/install' },
  errors: { manualInstructions: 'Manual installation instructions are required.', webInstallUrl: 'Use an https URL.' },
};

export const review: ReviewData = {
  ...ids,
  notice: '',
  sections: [
    { section: 'type', title: 'App type', editLabel: 'Edit app type', facts: [{ title: 'Type', value: 'Bot add-in' }] },
    {
      section: 'basics',
      title: 'About your app',
      editLabel: 'Edit name and contact',
      facts: [
        { title: 'App name', value: 'Expense Bot (staging)' },
        { title: 'Display name', value: 'Expense Bot' },
        { title: 'Icon URL', value: 'https://example.com/icon.png' },
        { title: 'Primary contact', value: 'ada@example.com' },
        { title: 'Promote in App Gallery', value: 'No' },
      ],
    },
    {
      section: 'auth',
      title: 'Authentication',
      editLabel: 'Edit authentication',
      facts: [
        { title: 'Method', value: 'JWT auth flow' },
        { title: 'Redirect URIs', value: '' },
      ],
    },
    { section: 'scopes', title: 'Scopes', editLabel: 'Edit scopes', facts: [{ title: 'Scopes', value: 'ReadMessages, TeamMessaging' }] },
  ],
};
export const reviewWithNotice: ReviewData = { ...review, notice: 'Your answers changed in another window; please check them again.' };
/** The review of an edit: no Back, the type without an edit button, "Save changes". */
export const reviewOfEdit: ReviewData = {
  ...review,
  heading: 'Edit Expense Bot \\(staging\\)',
  intro: "These are the app's settings now. Edit any section, then save: nothing changes until you do.",
  submitLabel: 'Save changes',
  canGoBack: false,
  sections: review.sections.map((s) => (s.section === 'type' ? { ...s, title: 'App type (cannot change)', editLabel: '' } : s)),
};

export const credentials: CredentialsData = {
  appName: 'Expense Bot (staging)',
  appTypeLabel: 'Bot add-in',
  clientId: 'kZ3q9XvT1bNcR8wYpL2dEa',
  clientSecret: 'cS_9f2+Jk1/aQz_w8X-vB3nM7pR4tY6uI0oE',
  sharedSecret: 'e3b0c44298fc1c149afbf4c8996fb924',
  grantedScopes: ['ReadMessages', 'TeamMessaging'],
  pendingScopes: ['ReadAccounts'],
  nextSteps: [
    { runs: [{ text: 'Install the bot into your account from the Developer Console.', font: 'default' }] },
    { runs: [{ text: 'RingCentral then posts the token to ', font: 'default' }, { text: 'https://bot.example.com/oauth', font: 'monospace' }] },
  ],
  hideAtText: 'Copy the secrets now: they are shown once and hidden at 14:05 UTC, 15 minutes after this card was sent.',
};
export const credentialsPlain: CredentialsData = {
  ...credentials,
  appName: 'Nightly Report',
  appTypeLabel: 'REST API app',
  sharedSecret: '',
  pendingScopes: [],
  grantedScopes: [],
  nextSteps: [{ runs: [{ text: 'Create a JWT credential in the Developer Console, then exchange it at ', font: 'default' }, { text: '/restapi/oauth/token', font: 'monospace' }] }],
};

const { clientSecret: _cs, sharedSecret: _ss, hideAtText: _h, ...hiddenBase } = credentials;
const undecided = { hasDecision: false, decisionTitle: '', decisionColor: 'default', decisionApproved: [], decisionNotGranted: [] } satisfies Partial<CardData['credentials-hidden']>;
export const credentialsHidden: CardData['credentials-hidden'] = {
  ...hiddenBase,
  botId: ids.botId,
  ...undecided,
  hiddenText: 'The client secret and the shared secret were shown once and are now hidden.',
};
export const credentialsHiddenPlain: CardData['credentials-hidden'] = {
  ...hiddenBase,
  botId: ids.botId,
  hiddenText: 'The client secret was shown once and is now hidden.',
  pendingScopes: [],
  grantedScopes: ['ReadAccounts'],
  hasDecision: true,
  decisionTitle: 'Partly approved by an admin',
  decisionColor: 'warning',
  decisionApproved: ['ReadAccounts'],
  decisionNotGranted: ['A2PSMS'],
};

export const approvalRequest: CardData['approval-request'] = {
  requestId: 'req-1',
  botId: ids.botId,
  notice: '',
  requesterName: 'Alice Archer',
  appName: 'Expense Bot',
  scopeCount: 2,
  facts: [
    { title: 'Requester', value: 'Alice Archer' },
    { title: 'App', value: 'Expense Bot (REST API app)' },
    { title: 'Asked', value: '2026-11-28 10:00 UTC' },
  ],
  justification: 'We send appointment reminders **and** archive recordings for audits.',
  scopeChoices: [
    { value: 'A2PSMS', title: 'A2PSMS: Send high-volume business (A2P) text messages' },
    { value: 'ReadCallRecording', title: 'ReadCallRecording: Download call recordings' },
  ],
  approvedScopes: 'A2PSMS,ReadCallRecording',
};

const appFacts = [
  { title: 'Status', value: 'Active' },
  { title: 'Granted scopes', value: 'ReadMessages' },
  { title: 'Created', value: '2026-11-28 10:00 UTC' },
];
export const myApps: CardData['my-apps'] = {
  ownerId: '400111',
  botId: ids.botId,
  title: 'Your apps (12), page 1 of 2',
  notice: '',
  apps: [{ appName: 'Expense Bot', subtitle: 'REST API app · Active', tone: 'good', facts: appFacts, clientId: 'abc123', openTitle: 'Open Expense Bot' }],
  hasPrevious: false,
  hasNext: true,
  previousPage: '0',
  nextPage: '2',
};
export const appDetailOwner: CardData['app-detail'] = {
  clientId: 'abc123',
  botId: ids.botId,
  stamp: 'st4mp',
  appName: 'Expense Bot',
  subtitle: 'REST API app · client ID abc123',
  statusText: 'Active.',
  statusTone: 'good',
  notice: '',
  facts: appFacts,
  secrets: [
    { label: 'Client secret …ab12', detail: '…ab12, issued 2026-11-28 10:00 UTC', revokeTitle: 'Revoke client secret …ab12 now', secretId: 'cs-1', kind: 'client' },
    { label: 'Shared secret …cd34', detail: '…cd34, issued 2026-11-28 10:00 UTC', revokeTitle: 'Revoke shared secret …cd34 now', secretId: 'ss-1', kind: 'shared' },
  ],
  ownerView: true,
  canHandOver: true,
  canEdit: true,
  canRotate: true,
  rotateText: 'Rotating gives you a new client secret. …ab12 keeps working for 24 hours, then stops.',
  canRotateShared: true,
  sharedRotateText: 'Rotating gives you a new shared secret. …cd34 keeps working for 24 hours, then stops.',
  adminView: false,
  reasonLabel: '',
  canSuspend: false,
  canReinstate: false,
};
export const appDetailAdmin: CardData['app-detail'] = {
  ...appDetailOwner,
  statusText: 'Suspended by an admin. Reason: leaked secret.',
  statusTone: 'attention',
  secrets: [],
  ownerView: false,
  canHandOver: false,
  canEdit: false,
  canRotate: false,
  rotateText: '',
  canRotateShared: false,
  sharedRotateText: '',
  adminView: true,
  reasonLabel: 'Reason for reinstating (optional)',
  canReinstate: true,
};

/** Every card in every state the flow produces: [label, name, data]. */
export type Case = { [N in CardName]: [string, N, CardData[N]] }[CardName];
export const allCases: Case[] = [
  ['step-type (first step)', 'step-type', stepType],
  ['step-type with error and notification type allowed', 'step-type', stepTypeWithError],
  ['step-basics', 'step-basics', stepBasics],
  ['step-basics with errors, icon required', 'step-basics', stepBasicsWithErrors],
  ['step-auth', 'step-auth', stepAuth],
  ['step-auth OAuth follow-up', 'step-auth', stepAuthOAuth],
  ['step-auth with errors', 'step-auth', stepAuthWithErrors],
  ['step-scopes', 'step-scopes', stepScopes],
  ['step-scopes with overlap and approval notes', 'step-scopes', stepScopesWithNotes],
  ['step-access', 'step-access', stepAccess],
  ['step-access partners follow-up', 'step-access', stepAccessPartners],
  ['step-access with errors', 'step-access', stepAccessWithErrors],
  ['step-features', 'step-features', stepFeatures],
  ['step-features webhook follow-up', 'step-features', stepFeaturesWebhook],
  ['step-features with errors', 'step-features', stepFeaturesWithErrors],
  ['step-features-notification', 'step-features-notification', stepFeaturesNotification],
  ['step-features-notification with errors', 'step-features-notification', stepFeaturesNotificationWithErrors],
  ['review', 'review', review],
  ['review with notice', 'review', reviewWithNotice],
  ['review of an edit', 'review', reviewOfEdit],
  ['flow-closed: edit saved', 'flow-closed', { title: 'Changes saved to Expense Bot', message: 'Your client ID and secrets are unchanged.', tone: 'good', facts: [{ title: 'Changed', value: 'Display name' }, { title: 'Awaiting an admin', value: 'A2PSMS' }] }],
  ['flow-closed: registered', 'flow-closed', { title: 'App registered', message: 'Expense Bot is registered. I sent the credentials to you privately.', tone: 'good' }],
  ['flow-closed: cancelled', 'flow-closed', { title: 'Registration cancelled', message: 'Nothing was registered. Say "register" to start again.', tone: 'default' }],
  ['flow-closed: expired', 'flow-closed', { title: 'This registration expired', message: 'It was idle for 24 hours. Say "register" to start again.', tone: 'attention' }],
  ['flow-closed: moved on', 'flow-closed', { title: 'This card is out of date', message: 'The registration continues in a newer card below.', tone: 'default' }],
  ['credentials with shared secret and pending scopes', 'credentials', credentials],
  ['credentials without shared secret, pending or granted scopes', 'credentials', credentialsPlain],
  ['credentials-hidden', 'credentials-hidden', credentialsHidden],
  ['credentials-hidden without scopes', 'credentials-hidden', credentialsHiddenPlain],
  ['flow-moved', 'flow-moved', { text: 'This form continues in a newer card below.' }],
  ['notice', 'notice', { title: 'One registration at a time', message: 'Finish or cancel the registration you started before beginning another.' }],
  ['approval-request', 'approval-request', approvalRequest],
  ['approval-request raised again', 'approval-request', { ...approvalRequest, notice: 'Reminder: this request has been waiting for 24 hours.' }],
  ['approval-status: decided', 'approval-status', { title: 'Partly approved: some scopes rejected', tone: 'warning', message: 'Reason: recordings only, not SMS.', facts: [{ title: 'App', value: 'Expense Bot' }, { title: 'ReadCallRecording', value: 'Approved' }, { title: 'A2PSMS', value: 'Rejected' }] }],
  ['approval-status: expired', 'approval-status', { title: 'Request expired', tone: 'attention', message: '', facts: [{ title: 'App', value: 'Expense Bot' }] }],
  ['approval-outcome: decided', 'approval-outcome', { title: 'Your scope request was decided', tone: 'good', message: '', facts: [{ title: 'A2PSMS', value: 'Approved' }], canAskAgain: false, clientId: 'abc123', botId: ids.botId }],
  ['my-apps', 'my-apps', myApps],
  ['my-apps: none yet', 'my-apps', { ...myApps, title: 'You have no apps yet', notice: 'Say **create app** to register your first one.', apps: [], hasNext: false }],
  ['app-detail: owner', 'app-detail', appDetailOwner],
  ['app-detail: admin, suspended', 'app-detail', appDetailAdmin],
  ['app-confirm-delete', 'app-confirm-delete', { appName: 'Expense Bot', message: 'Its secrets stop working at once.', clientId: 'abc123', botId: ids.botId, stamp: 'st4mp' }],
  ['secret-issued', 'secret-issued', { appName: 'Expense Bot', kindLabel: 'client secret', clientId: 'abc123', secretTitle: 'Client secret', secret: 'rgr_cs_x', previousText: '…ab12 keeps working until 2026-11-29 10:00 UTC.', hideAtText: 'Copy it now.' }],
  ['secret-hidden', 'secret-hidden', { appName: 'Expense Bot', kindLabel: 'shared secret', clientId: 'abc123', hiddenText: 'The new shared secret …wxyz was shown once and is now hidden.' }],
  ['transfer-offer: open', 'transfer-offer', { title: 'Alice Archer offers you Expense Bot', message: 'Accept to own it.', facts: appFacts, open: true, clientId: 'abc123', offerId: 'offer-1', botId: ids.botId }],
  ['transfer-offer: answered', 'transfer-offer', { title: 'You now own Expense Bot', message: 'Done.', facts: appFacts, open: false, clientId: 'abc123', offerId: 'offer-1', botId: ids.botId }],
  ['approval-outcome: expired, can ask again', 'approval-outcome', { title: 'Your scope request expired', tone: 'attention', message: 'No admin decided in time.', facts: [{ title: 'A2PSMS', value: 'Not granted' }], canAskAgain: true, clientId: 'abc123', botId: ids.botId }],
  ['approval-outcome: public review expired, can ask again', 'approval-outcome', { title: 'The review of Expense Bot expired', tone: 'attention', message: 'It stays private.', facts: [{ title: 'Access', value: 'Private until review' }], canAskAgain: true, kind: 'public', clientId: 'abc123', botId: ids.botId }],
  ['public-review-request', 'public-review-request', { requestId: 'req-1', botId: ids.botId, notice: '', requesterName: 'Alice Archer', appName: 'Expense Bot', facts: appFacts }],
  ['public-review-request raised again', 'public-review-request', { requestId: 'req-1', botId: ids.botId, notice: 'Reminder: this request has been waiting for 24 hours.', requesterName: 'Alice Archer', appName: 'Expense Bot', facts: appFacts }],
  ['access-request', 'access-request', { requestId: 'acc-1', botId: ids.botId, personName: 'Bob Baker', facts: [{ title: 'Person', value: 'Bob Baker' }] }],
  ['access-needed with the request button', 'access-needed', { title: 'You cannot register apps yet', message: 'Ask the admins.', canRequest: true, botId: ids.botId }],
  ['access-needed without it', 'access-needed', { title: 'Your request is waiting', message: 'An admin will decide.', canRequest: false, botId: ids.botId }],
];
