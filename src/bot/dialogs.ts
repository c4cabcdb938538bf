import { renderCard } from '../cards/render-card.js';

/**
 * A reply only the clicking person sees: RingCentral opens the dialog for them alone, which is
 * the one private channel the platform offers in answer to a click (contract 6.3).
 *
 * The interactive route serialises a click's answer only when it is a `Dialog` built here, so no
 * other value a handler happens to return (or a handler looked up by mistake) can reach the wire.
 */
export class Dialog {
  /** What goes in the response body's `dialog`: title, size and card. */
  readonly dialog: Readonly<{ title: string; size: 'small' | 'medium' | 'large'; card: Record<string, unknown> }>;
  /**
   * @param text the same news as plain chat text, for when the dialog cannot be opened any more
   *   (the click's answer went out before the work finished).
   */
  constructor(
    title: string,
    card: Record<string, unknown>,
    readonly text: string,
    size: 'small' | 'medium' | 'large' = 'small',
  ) {
    this.dialog = Object.freeze({ title, size, card });
  }
  /**
   * The response body RingCentral reads: `{ type: "dialog", dialog }`. The title and the icon are
   * both required (D `adaptive-cards/modal-dialogs.md`): the icon is the bot's, added here where
   * every dialog leaves the bot, so no handler can forget it.
   */
  toBody(iconURL: string): { type: 'dialog'; dialog: Dialog['dialog'] & { iconURL: string } } {
    return { type: 'dialog', dialog: { ...this.dialog, iconURL } };
  }
}

export function noticeDialog(title: string, message: string): Dialog {
  return new Dialog(title, renderCard('notice', { title, message }), `**${title}**: ${message}`);
}

/** A click on an older version of a form that is still open: nothing changes, and `resume` brings up its latest card. */
export const movedOnDialog = () =>
  noticeDialog('This form has moved on', 'That button belongs to an older version of the form, so nothing was changed. Type **resume** to bring up its latest card.');

/** The one-line stub a form's card becomes when the form is posted again as a newer card (resume). */
export const movedStubCard = () => renderCard('flow-moved', { text: 'This form continues in a newer card below.' });
