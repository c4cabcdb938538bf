import { renderCard } from '../cards/render-card.js';
import type { SubmitReply } from './handle-submit.js';

/**
 * A reply only the clicking person sees: RingCentral opens the dialog for them alone, which is
 * the one private channel the platform offers in answer to a click.
 */
export function noticeDialog(title: string, message: string): SubmitReply {
  return { type: 'dialog', dialog: { title, size: 'small', card: renderCard('notice', { title, message }) } };
}

/**
 * Gives a dialog reply the bot's icon: RingCentral requires a title and an icon on every dialog
 * (D `adaptive-cards/modal-dialogs.md`, "Title and icon"). Applied once, where every submit reply
 * leaves the bot, so no handler can forget it; a reply without a dialog passes unchanged.
 *
 * @example
 *   return withDialogIcon(await handler(ctx), services.config.botIconUrl);
 */
export function withDialogIcon(reply: SubmitReply, iconUrl: string): SubmitReply {
  return reply ? { ...reply, dialog: { ...reply.dialog, iconURL: iconUrl } } : reply;
}

export const movedOnDialog = () =>
  noticeDialog('This form has moved on', 'That button belongs to an older version of the form, so nothing was changed. Please use the latest card.');
