/**
 * RingCentral's markdown for card text and bot messages: **bold**, _italic_, links and lists.
 * markdown-it with `html: false` escapes every tag a text holds, and images are off (a card's text
 * must not load anything); links open in a new tab without handing over this page.
 */
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: false, breaks: true });
md.disable(['image', 'table', 'code', 'fence', 'heading', 'lheading', 'hr', 'html_block', 'html_inline']);
md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx]!;
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer');
  return self.renderToken(tokens, idx, options);
};

/** Markdown to HTML; the HTML holds no tag a text brought in. */
export function markdownToHtml(text: string): string {
  return md.render(text);
}

const MENTION = /!\[:(Person|Team)\]\(([^)\s]+)\)/g;

/** Mention markup (`![:Person](id)`) as `@Name`, so markdown never reads it as an image. */
export function replaceMentions(text: string, nameOf: (id: string) => string | undefined): string {
  return text.replace(MENTION, (_m, _type: string, id: string) => `@${nameOf(id) ?? id}`);
}

/** Splits text at mention markup, for text that is shown as text (people's own messages). */
export function splitMentions(text: string): { text: string; mentionId?: string }[] {
  const parts: { text: string; mentionId?: string }[] = [];
  let last = 0;
  for (const m of text.matchAll(MENTION)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    parts.push({ text: '', mentionId: m[2]! });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
