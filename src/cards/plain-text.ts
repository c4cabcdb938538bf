/**
 * User text made safe to show where the bot writes markdown: RingCentral text posts, whose `text`
 * carries links, emphasis and mention markup `![:Person](id)` / `![:Team](id)` (contract 3.3), and
 * Adaptive Card TextBlock and Fact text (and `fallbackText`), which the adaptivecards renderer passes
 * through markdown-it (`AdaptiveCard.applyMarkdown` in node_modules/adaptivecards/lib/card-elements.js).
 *
 * Two things happen:
 * - Invisible characters go: controls, format characters (bidi overrides and isolates, zero-width
 *   spaces, the BOM), private-use, unassigned and lone surrogate code points. Zero-width (non-)joiners
 *   stay: they shape Persian and Indic names and emoji, and hide nothing. Every run of whitespace,
 *   line breaks included (unless `keepLines`), becomes one space, so user text never starts a line
 *   of its own (a fake list entry in `pending`, a heading, a quote) and the result is trimmed.
 * - Every character markdown gives a meaning to is backslash-escaped (CommonMark 2.4: any ASCII
 *   punctuation may be), so a CommonMark renderer shows the text literally. RingCentral documents
 *   no escape syntax for its posts, so the escaping is chosen to hold for a renderer that ignores
 *   backslashes too: the output never contains `](`, `![`, `**`, `__` or an unescaped `[`, so no
 *   link, image or mention pattern survives, at the worst cost of a visible backslash.
 *
 * With `max`, the visible text is first cut to that many characters (escaping may then lengthen it).
 * With `keepLines`, line breaks stay (for a card's multi-line answer, never in a post's list line):
 * each line is escaped and trimmed, so none can start a heading, list, quote or code block.
 *
 * Only for text that is rendered as markdown: `Input.*` values and RichTextBlock `TextRun` text are
 * not markdown and take the raw text.
 *
 * @example
 *   plainText('[Approve here](https://evil.example)') // '\\[Approve here\\]\\(https://evil\\.example\\)'
 *   client.postText(chatId, `**${plainText(app.appName)}** by ${plainText(name)}`);
 */
export function plainText(text: string, { max, keepLines = false }: { max?: number; keepLines?: boolean } = {}): string {
  const visible = visibleText(text, { keepLines });
  return (max === undefined ? visible : clipText(visible, max)).replace(MARKDOWN_SIGNIFICANT, '\\$&');
}

/**
 * The text with invisible characters removed and whitespace collapsed, as `plainText` shows it but
 * without escaping: for text that is not markdown (a TextRun) but still should hide nothing.
 * With `keepLines`, line breaks stay (at most one blank line in a row) and each line is cleaned.
 *
 * @example
 *   visibleText('evil\u202Egnp.exe\n  x') // 'evilgnp.exe x'
 *   visibleText('first\r\n\n\n second', { keepLines: true }) // 'first\n\nsecond'
 */
export function visibleText(text: string, { keepLines = false }: { keepLines?: boolean } = {}): string {
  if (keepLines) {
    return text.split(/\r\n|[\n\r\u2028\u2029]/).map((line) => visibleText(line)).join('\n').replace(/\n{3,}/g, '\n\n').trim();
  }
  return text.replace(/\s+/g, ' ').replace(HIDDEN, '').replace(/ {2,}/g, ' ').trim();
}

/** Controls, format, private-use, unassigned and surrogate code points, except ZWNJ and ZWJ. */
const HIDDEN = /(?![\u200C\u200D])[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}]/gu;

/**
 * CommonMark's inline and block markers (and `&` for entities, `=` for setext headings, `{`/`}` for
 * Adaptive Cards' `{{DATE(...)}}` text functions). `.` and `)` after digits make ordered lists.
 */
const MARKDOWN_SIGNIFICANT = /[\\`*_{}[\]()#+\-.!|~<>&=]/g;

/**
 * At most `max` characters (UTF-16 units, as RingCentral's post limit counts), cut with "…" and
 * never inside a surrogate pair: for user text that is echoed, kept or listed.
 *
 * @example
 *   clipText('a'.repeat(500), 200).length === 200 // 199 a's and "…"
 */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}…`;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
