/**
 * The dialog a bot may open in answer to a click (contract 6.3; D `adaptive-cards/modal-dialogs.md`):
 * 200 with `Content-Type: application/json` and `{type: "dialog", dialog: {title, size, iconURL,
 * card | iframeURL}}`. "The title and icon of the dialog are required fields", so a dialog without
 * either is refused (not shown), as is one with no content. D `open-dialog.js` spells the iframe
 * field `iFrameURL`; both spellings are taken.
 */

/** What the emulator made of a submit answer. */
export type DialogOutcome =
  | { kind: 'none' }
  | { kind: 'opened'; dialog: Record<string, unknown> }
  | { kind: 'refused'; error: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isHttpUrl = (v: unknown): boolean => {
  if (typeof v !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};

/** Judges one answer; anything that is not `{type: "dialog"}` opens nothing and is not an error. */
export function checkDialog(answer: { status: number; contentType: string; body: unknown }): DialogOutcome {
  if (!isObject(answer.body) || answer.body.type !== 'dialog') return { kind: 'none' };
  const refuse = (error: string): DialogOutcome => ({ kind: 'refused', error });
  if (answer.status !== 200) return refuse(`a dialog needs HTTP 200, got ${answer.status}`);
  if (!answer.contentType.toLowerCase().includes('application/json')) return refuse('a dialog needs Content-Type application/json');
  const dialog = answer.body.dialog;
  if (!isObject(dialog)) return refuse('dialog is not an object');
  if (typeof dialog.title !== 'string' || dialog.title.trim() === '') return refuse('dialog.title is required');
  if (dialog.iconURL === undefined || dialog.iconURL === null || dialog.iconURL === '') return refuse('dialog.iconURL is required');
  if (!isHttpUrl(dialog.iconURL)) return refuse('dialog.iconURL must be an http(s) URL');
  if (dialog.size !== undefined && !['small', 'medium', 'large'].includes(String(dialog.size))) {
    return refuse('dialog.size must be small, medium or large');
  }
  const iframe = dialog.iframeURL ?? dialog.iFrameURL;
  if (!isObject(dialog.card) && !isHttpUrl(iframe)) return refuse('dialog needs a card or an iframeURL');
  if (isObject(dialog.card) && dialog.card.type !== 'AdaptiveCard') return refuse('dialog.card is not an AdaptiveCard');
  return { kind: 'opened', dialog };
}
