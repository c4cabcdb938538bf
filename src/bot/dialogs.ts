import { renderCard } from '../cards/render-card.js';
import type { SubmitReply } from './handle-submit.js';

/**
 * A reply only the clicking person sees: RingCentral opens the dialog for them alone, which is
 * the one private channel the platform offers in answer to a click.
 */
export function noticeDialog(title: string, message: string): SubmitReply {
  return { type: 'dialog', dialog: { title, size: 'small', card: renderCard('notice', { title, message }) } };
}

export const movedOnDialog = () =>
  noticeDialog('This form has moved on', 'That button belongs to an older version of the form, so nothing was changed. Please use the latest card.');
