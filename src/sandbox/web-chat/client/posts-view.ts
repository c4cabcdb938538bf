/**
 * The posts of the chosen chat. Posts that did not change keep their DOM (and so whatever a person
 * typed into a card's inputs); a changed card is rendered anew in place.
 */
import type { PostRecord } from './api.js';
import { markdownToHtml, replaceMentions, splitMentions } from './markdown.js';
import { renderCard } from './render-card.js';

export interface PostsViewOptions {
  botId: string;
  onSubmit: (cardId: string, data: Record<string, unknown>, cardElement: HTMLElement) => void;
  onError: (message: string) => void;
}

const versionOf = (r: PostRecord) => (r.card ? `card:${r.card.version}:${r.card.deleted}` : `text:${r.lastModifiedTime}:${r.text ?? ''}`);

export function createPostsView(list: HTMLElement, { botId, onSubmit, onError }: PostsViewOptions) {
  const shown = new Map<string, { version: string; item: HTMLLIElement }>();

  const nameOf = (r: PostRecord) => (id: string) => r.mentions?.find((m) => m.id === id)?.name ?? (id === botId ? 'Registrar' : undefined);

  function textBody(r: PostRecord): HTMLElement {
    const body = document.createElement('div');
    body.className = 'post-text';
    const text = r.text ?? '';
    if (r.creatorId === botId) {
      // The bot writes RingCentral markdown; the renderer escapes any tag in it.
      body.innerHTML = markdownToHtml(replaceMentions(text, nameOf(r)));
      return body;
    }
    // What people typed is shown as typed: text nodes only, mentions as highlighted names.
    const p = document.createElement('p');
    for (const part of splitMentions(text)) {
      // Mention markup typed by hand was escaped by the server (it is no mention): shown as typed.
      if (part.mentionId === undefined) p.append(document.createTextNode(part.text.replaceAll('!\\[:', '![:')));
      else {
        const mention = document.createElement('span');
        mention.className = 'mention';
        mention.textContent = `@${nameOf(r)(part.mentionId) ?? part.mentionId}`;
        p.append(mention);
      }
    }
    body.append(p);
    return body;
  }

  function cardBody(r: PostRecord): HTMLElement {
    const card = r.card!;
    if (card.deleted) {
      const note = document.createElement('p');
      note.className = 'post-note';
      note.textContent = 'This card was deleted.';
      return note;
    }
    const holder = document.createElement('div');
    holder.className = 'card-holder';
    holder.dataset.cardId = card.id;
    holder.append(renderCard(card.body, { onSubmit: (data) => onSubmit(card.id, data, holder), onError }));
    return holder;
  }

  function render(r: PostRecord): HTMLLIElement {
    const item = document.createElement('li');
    item.className = r.creatorId === botId ? 'post from-bot' : 'post';
    item.dataset.postId = r.id;
    const head = document.createElement('div');
    head.className = 'post-head';
    const author = document.createElement('span');
    author.className = 'post-author';
    author.textContent = r.creatorName || (r.creatorId === botId ? 'Registrar' : r.creatorId);
    const time = document.createElement('time');
    time.dateTime = r.creationTime;
    time.textContent = new Date(r.creationTime).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    head.append(author, time);
    item.append(head, r.card ? cardBody(r) : textBody(r));
    return item;
  }

  return {
    clear(): void {
      shown.clear();
      list.replaceChildren();
    },
    /** Brings the list in line with `records` (oldest first). */
    update(records: PostRecord[]): void {
      const scroller = list.parentElement ?? list;
      const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
      let added: HTMLLIElement | undefined;
      const keep = new Set<string>();
      let previous: HTMLLIElement | null = null;
      for (const r of records) {
        keep.add(r.id);
        const version = versionOf(r);
        const old = shown.get(r.id);
        let item = old?.item;
        if (!old || old.version !== version) {
          item = render(r);
          const hadFocus = old?.item.contains(document.activeElement) ?? false;
          if (old) old.item.replaceWith(item);
          else added = item;
          shown.set(r.id, { version, item });
          // A card that changed under the keyboard hands focus to its first control, not to <body>.
          if (hadFocus) item.querySelector<HTMLElement>('input, select, textarea, button, [tabindex]:not([tabindex="-1"])')?.focus();
        }
        const expected: Element | null = previous ? previous.nextElementSibling : list.firstElementChild;
        if (expected !== item) {
          if (previous) previous.after(item!);
          else list.prepend(item!);
        }
        previous = item!;
      }
      for (const [id, { item }] of shown) {
        if (!keep.has(id)) {
          item.remove();
          shown.delete(id);
        }
      }
      // A new post is shown from its top (a form card can be taller than the pane).
      if (added) added.scrollIntoView({ block: 'start' });
      else if (atBottom) scroller.scrollTop = scroller.scrollHeight;
    },
  };
}
