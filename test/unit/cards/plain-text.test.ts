import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { clipText, plainText, visibleText } from '../../../src/cards/plain-text.js';
import { parseMentions } from '../../../src/emulator/mentions.js';

// adaptivecards renders TextBlock and Fact text with `markdownit().render(text)`: default options.
const md = new MarkdownIt();

/** The block and inline token types markdown-it finds, and the text a reader sees. */
function rendered(markdown: string) {
  const tokens = md.parse(markdown, {});
  const blocks = tokens.map((t) => t.type);
  const inline = tokens.filter((t) => t.type === 'inline').flatMap((t) => t.children ?? []);
  return {
    blocks,
    inlineTypes: [...new Set(inline.map((t) => t.type))],
    text: inline.map((t) => (t.type === 'softbreak' || t.type === 'hardbreak' ? '\n' : t.content)).join(''),
    html: md.render(markdown),
  };
}

const MARKUP = ['[', ']', '(', ')', '!', '*', '_', '`', '#', '>', '<', '-', '+', '.', '|', '~', '&', '=', '\\', '{', '}', ':', '1', 'a', ' ', '\n', '    ', 'http://x.example', '![:Person](', '![:Team](123)', '&amp;', '&#91;', '{{DATE(2026-01-01T00:00:00Z)}}', '\u202E', '\u200B', '\u0000', '\u2028'];
/** Strings rich in markdown, mention markup, entities and invisible characters, mixed with any Unicode. */
const hostile = fc.oneof(
  fc.string({ unit: fc.constantFrom(...MARKUP), maxLength: 40 }),
  fc.string({ unit: fc.oneof(fc.constantFrom(...MARKUP), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
/** Visible text as a person would type it on one line: no invisible characters, single spaces, trimmed. */
const visible = hostile.map((s) => s.replace(/[\s\p{C}]+/gu, ' ').trim());

describe('plainText', () => {
  it('renders back to the literal text in markdown-it, as a single paragraph of plain text', () => {
    fc.assert(
      fc.property(visible, (s) => {
        const r = rendered(plainText(s));
        expect(r.text).toBe(s);
        expect(r.blocks).toEqual(s === '' ? [] : ['paragraph_open', 'inline', 'paragraph_close']);
        expect(r.inlineTypes.every((t) => t === 'text')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves no link, image, emphasis, code, html or mention in anything it is given', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const out = plainText(s);
        const r = rendered(out);
        expect(r.inlineTypes.every((t) => t === 'text')).toBe(true);
        expect(r.html).not.toMatch(/<(a|img|em|strong|code|h\d|ul|ol|li|blockquote|hr|pre|s)\b/);
        expect(parseMentions(out, () => 'Somebody')).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('holds even for a renderer that ignores backslashes: no link, image, mention or emphasis pair survives', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const out = plainText(s);
        expect(out).not.toMatch(/\]\(|!\[|\*\*|__|~~|``|\{\{|(?<!\\)[[\]()<>*_`!]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps no line break, control, bidi, zero-width or unassigned character, and no blank at the ends', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const out = plainText(s);
        expect(out).not.toMatch(/(?![\u200C\u200D])[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\u2028\u2029\n\r\t]/u);
        expect(out).toBe(out.trim());
        expect(out).not.toMatch(/\s{2}/);
      }),
      { numRuns: 2000 },
    );
  });

  it('turns the reviewed examples into literal text', () => {
    expect(plainText('[Approve here](https://evil.example)')).toBe('\\[Approve here\\]\\(https://evil\\.example\\)');
    expect(plainText('![:Person](123) and ![:Team](456)')).toBe('\\!\\[:Person\\]\\(123\\) and \\!\\[:Team\\]\\(456\\)');
    expect(rendered(plainText('**Urgent**: approve\n1. now')).text).toBe('**Urgent**: approve 1. now');
  });

  it('keeps joiners that shape names and emoji, and drops bidi overrides', () => {
    expect(visibleText('\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645')).toBe('\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645');
    expect(visibleText('invoice\u202Egnp.exe')).toBe('invoicegnp.exe');
    expect(visibleText(' a \u200B b\u2028c ')).toBe('a b c');
  });
});

describe('plainText with keepLines', () => {
  it('keeps each line as a line of literal text, and no line can start a block', () => {
    const lines = fc.array(visible.filter((l) => l !== ''), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(lines, (ls) => {
        const r = rendered(plainText(ls.join('\n'), { keepLines: true }));
        expect(r.blocks).toEqual(['paragraph_open', 'inline', 'paragraph_close']);
        expect(r.inlineTypes.every((t) => t === 'text' || t === 'softbreak')).toBe(true);
        expect(r.text).toBe(ls.join('\n'));
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves no markup or mention in anything it is given', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const out = plainText(s, { keepLines: true });
        const r = rendered(out);
        expect(r.blocks.every((t) => /^paragraph_|^inline$/.test(t))).toBe(true);
        expect(r.inlineTypes.every((t) => t === 'text' || t === 'softbreak')).toBe(true);
        expect(parseMentions(out, () => 'Somebody')).toBeNull();
        expect(out).not.toMatch(/\]\(|!\[|\*\*|__|(?<!\\)[[\]()<>*_`!]/);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('visibleText with keepLines', () => {
  it('keeps line breaks, at most one blank line in a row, and cleans each line', () => {
    expect(visibleText('first\r\n\n\n\n  second\u202E line \u2028third', { keepLines: true })).toBe('first\n\nsecond line\nthird');
  });
});

describe('clipText', () => {
  it('leaves short text alone and cuts long text to the limit with an ellipsis', () => {
    expect(clipText('short', 10)).toBe('short');
    expect(clipText('a'.repeat(500), 200)).toBe(`${'a'.repeat(199)}…`);
  });

  it('never cuts a surrogate pair in half', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.integer({ min: 1, max: 40 }), (s, max) => {
        const out = clipText(s, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
        if (s.length > max) expect(s.startsWith(out.slice(0, -1))).toBe(true);
      }),
    );
  });
});
