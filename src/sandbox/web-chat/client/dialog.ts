/**
 * A dialog the bot answered a click with, shown as a modal `<dialog>`: title and icon in its header,
 * its card below. `showModal()` keeps focus inside and closes on Escape; focus returns to the
 * button that opened it.
 */
import type { PageDialog } from './api.js';
import { renderCard } from './render-card.js';

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function openDialog(dialog: PageDialog): void {
  const modal = el<HTMLDialogElement>('dialog');
  const icon = el<HTMLImageElement>('dialog-icon');
  el('dialog-title').textContent = dialog.title;
  icon.hidden = dialog.iconUrl === null;
  if (dialog.iconUrl !== null) icon.src = dialog.iconUrl;
  else icon.removeAttribute('src');
  modal.dataset.size = dialog.size;
  el('dialog-body').replaceChildren(dialog.card ? renderCard(dialog.card) : document.createTextNode(''));
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  modal.addEventListener('close', () => opener?.isConnected && opener.focus(), { once: true });
  modal.showModal();
  el<HTMLButtonElement>('dialog-close').focus();
}

/** Wires the close button once. */
export function setUpDialog(): void {
  el<HTMLButtonElement>('dialog-close').addEventListener('click', () => el<HTMLDialogElement>('dialog').close());
}
