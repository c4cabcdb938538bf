import { describe, expect, it } from 'vitest';
import { markdownToHtml, replaceMentions, splitMentions } from '../../../src/sandbox/web-chat/client/markdown.js';
import { withBotMention } from '../../../src/sandbox/web-chat/page-api.js';

describe('the chat page markdown', () => {
  it('renders RingCentral markdown: bold, italic, links in a new tab, lists', () => {
    const html = markdownToHtml('**bold** _italic_ [docs](https://developers.ringcentral.com)\n\n- one\n- two');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>italic</em>');
    expect(html).toContain('<a href="https://developers.ringcentral.com" target="_blank" rel="noopener noreferrer">docs</a>');
    expect(html).toContain('<li>one</li>');
  });

  it('escapes every tag a text brings and drops script links and images', () => {
    const html = markdownToHtml('<img src=x onerror=alert(1)> <script>alert(1)</script> [x](javascript:alert(1)) ![pic](https://tracker.example/p.png)');
    expect(html).not.toMatch(/<img|<script|href="javascript/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('shows mention markup as @Name, never as an image', () => {
    const names = new Map([['42', 'Registrar']]);
    expect(replaceMentions('![:Person](42) hello ![:Person](7)', (id) => names.get(id))).toBe('@Registrar hello @7');
    expect(splitMentions('hi ![:Person](42)!')).toEqual([{ text: 'hi ' }, { text: '', mentionId: '42' }, { text: '!' }]);
  });

  it('makes @Registrar a mention wherever it stands alone, in any case', () => {
    expect(withBotMention('@Registrar create app', '9')).toBe('![:Person](9) create app');
    expect(withBotMention('hey @registrar, help', '9')).toBe('hey ![:Person](9), help');
    expect(withBotMention('mail me@Registrar.example or @RegistrarBot', '9')).toBe('mail me@Registrar.example or @RegistrarBot');
  });
});
