import type { AppDraft, FieldName } from '../registry/fields.js';
import type { StepId } from '../registry/steps.js';

/**
 * A registration in progress, persisted after every turn (a step pointer and values, never a
 * closure), so a restart resumes at the same step with the same answers.
 */
export interface Flow {
  id: string;
  accountId: string;
  /** The person who started the flow: the only one who may drive it. */
  ownerId: string;
  /** The direct chat the form lives in. */
  chatId: string;
  /** The card showing the form now; older cards are stale. */
  cardId: string | null;
  step: StepId;
  /** Bumped by every accepted click; a click carrying another version is stale. */
  version: number;
  /** Answers accepted so far. */
  draft: Partial<AppDraft>;
  /** What the user typed per step, as typed, so going back or fixing an error shows it again. */
  entered: Partial<Record<StepId, Partial<Record<FieldName, string>>>>;
  errors: Partial<Record<FieldName, string>>;
  notice: string;
  /**
   * On a step with a follow-up (OAuth details, partners, the webhook URL): true while the card asks
   * the follow-up fields, under the same step number. Absent: the step's first card.
   */
  detail?: boolean;
  /**
   * Present when the form changes an existing app (`edit app`) rather than registering one: it
   * starts at the review with the app's current answers, its type cannot change, and submitting
   * saves the changes (src/registration/edit-app.ts). `appName` is the name when the edit began.
   */
  editing?: { clientId: string; appName: string } | null;
  /** Set by Edit on the review card: the next accepted step goes back to the review. */
  returnToReview: boolean;
  /**
   * 'registering' from the submit click until the credentials are on the card (or the attempt is
   * undone): a crash in between leaves this state, which start-up finishes or undoes. An edit is
   * 'registering' likewise from its save click until the changes are applied and told (or undone).
   */
  status: 'active' | 'registering' | 'submitted' | 'cancelled' | 'expired';
  clientId: string | null;
  /** While registering: the client ID chosen for the app, and when its secrets are to be hidden. */
  issuing?: { clientId: string; hideAt: number } | null;
  /**
   * The version the card is known to show. Behind `version` only between storing a click and the
   * card update that shows it; a crash there is repaired by drawing the card again. Absent: in step.
   */
  cardVersion?: number;
  /** When set, the card is drawn again at this time (a late RingCentral update may have overwritten it). */
  redrawAt?: number | null;
  createdAt: number;
  updatedAt: number;
}

export type FlowAction = 'next' | 'back' | 'cancel' | 'edit' | 'submit';
export const FLOW_ACTIONS: readonly FlowAction[] = ['next', 'back', 'cancel', 'edit', 'submit'];
