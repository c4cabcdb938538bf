import { describe, expect, it } from 'vitest';
import { classifyHost } from '../../../src/registry/classify-host.js';
import { validateUrl } from '../../../src/registry/validate-url.js';

const redirect = { allowLoopbackHttp: true, maxLength: 256 };
const webhook = { requirePublicHost: true, maxLength: 2048 };

const messageOf = (raw: string, rules: Parameters<typeof validateUrl>[1]) => {
  const result = validateUrl(raw, rules);
  return result.ok ? undefined : result.message;
};

describe('validateUrl for redirect URIs', () => {
  it.each(['http://localhost:8080/cb', 'http://127.0.0.1/cb', 'http://127.9.9.9/cb', 'http://[::1]:3000/cb', 'https://app.example.com/oauth/callback?x=1'])(
    'accepts %s',
    (url) => {
      expect(validateUrl(url, redirect)).toEqual({ ok: true, url });
    },
  );

  it('keeps the URL exactly as typed, only trimming the surrounding whitespace', () => {
    expect(validateUrl('  https://App.Example.com/CB/  ', redirect)).toEqual({ ok: true, url: 'https://App.Example.com/CB/' });
  });

  it('rejects plain http for a host that is not loopback and says http is only for localhost', () => {
    expect(messageOf('http://x', redirect)).toBe('Use https:// (http is only allowed for localhost).');
  });

  it('rejects http for localhost look-alikes that are not on the loopback list', () => {
    expect(messageOf('http://foo.localhost/cb', redirect)).toMatch(/only allowed for localhost/);
    expect(messageOf('http://[::ffff:127.0.0.1]/cb', redirect)).toMatch(/only allowed for localhost/);
  });

  it('rejects a 257-character URI and a 2,000-character URI, saying how long they are', () => {
    const uri257 = `https://app.example.com/${'a'.repeat(257 - 24)}`;
    expect(uri257).toHaveLength(257);
    expect(messageOf(uri257, redirect)).toBe('This URL is 257 characters long; the limit is 256.');
    expect(messageOf(`https://app.example.com/${'a'.repeat(2000 - 24)}`, redirect)).toMatch(/2000 characters long/);
  });

  it('accepts a URI of exactly 256 characters', () => {
    expect(validateUrl(`https://app.example.com/${'a'.repeat(256 - 24)}`, redirect).ok).toBe(true);
  });

  it('rejects wildcards, fragments and user info', () => {
    expect(messageOf('https://*.example.com/cb', redirect)).toMatch(/Wildcards \(\*\) are not allowed/);
    expect(messageOf('https://x.example.com/#frag', redirect)).toMatch(/fragments are not allowed/);
    expect(messageOf('https://x.example.com/cb#', redirect)).toMatch(/fragments are not allowed/);
    expect(messageOf('https://u:p@host.example.com', redirect)).toMatch(/user name and password/);
    expect(messageOf('https://@host.example.com', redirect)).toMatch(/user name and password/);
  });

  it('rejects text that is not a full https URL', () => {
    expect(messageOf('app.example.com/cb', redirect)).toMatch(/starting with https:\/\//);
    expect(messageOf('https:app.example.com', redirect)).toMatch(/starting with https:\/\//);
    expect(messageOf('https:///app.example.com', redirect)).toMatch(/starting with https:\/\//);
    expect(messageOf('ftp://app.example.com/x', redirect)).toMatch(/https:\/\//);
    expect(messageOf('https://1.2.3.4.5/', redirect)).toMatch(/valid web address/);
    expect(messageOf('', redirect)).toBe('Please enter a URL.');
  });

  it('rejects spellings the parser would silently change', () => {
    expect(messageOf('https://app.example.com/c b', redirect)).toMatch(/spaces/);
    expect(messageOf('https://app.exam\tple.com/cb', redirect)).toMatch(/invisible/);
    expect(messageOf('https://evil.example\\@good.example.com/', redirect)).toMatch(/backslashes/);
  });

  it('lets https redirect URIs point at private hosts, since only the browser follows them', () => {
    expect(validateUrl('https://intranet/cb', redirect).ok).toBe(true);
    expect(validateUrl('https://127.0.0.1/cb', redirect).ok).toBe(true);
  });
});

describe('validateUrl for outbound webhook URLs', () => {
  it.each(['https://hooks.example.com/rc', 'https://93.184.216.34/x', 'https://[2606:2800:220:1:248:1893:25c8:1946]/x', 'https://HOOKS.example.com./rc', 'https://hooks.example.com:8443/rc?token=1'])(
    'accepts %s',
    (url) => {
      expect(validateUrl(url, webhook).ok).toBe(true);
    },
  );

  it.each(['http://localhost:8080/cb', 'http://127.0.0.1/cb', 'http://hooks.example.com/rc'])('rejects plain http: %s', (url) => {
    expect(messageOf(url, webhook)).toBe('Use https:// (plain http is not allowed here).');
  });

  it.each([
    ['https://127.0.0.1', 'loopback'],
    ['https://2130706433', 'loopback'],
    ['https://0x7f000001', 'loopback'],
    ['https://0x7f.0.0.1', 'loopback'],
    ['https://0177.0.0.1', 'loopback'],
    ['https://127.1', 'loopback'],
    ['https://127.0.0.1.', 'loopback'],
    ['https://[::1]', 'loopback'],
    ['https://localhost', 'loopback'],
    ['https://localhost.', 'loopback'],
    ['https://LOCALHOST', 'loopback'],
    ['https://foo.localhost', 'loopback'],
    ['https://%31%32%37.0.0.1', 'loopback'],
    ['https://[::ffff:127.0.0.1]', 'loopback'],
    ['https://[::ffff:169.254.169.254]', 'link-local'],
    ['https://[::ffff:a9fe:a9fe]', 'link-local'],
    ['https://[::127.0.0.1]', 'loopback'],
    ['https://[64:ff9b::a9fe:a9fe]', 'link-local'],
    ['https://[2002:a00:1::]', 'private network'],
    ['https://[::ffff:93.184.216.34]', 'IPv6 form'],
    ['https://169.254.169.254', 'link-local'],
    ['https://[fe80::1]', 'link-local'],
    ['https://10.0.0.1', 'private network'],
    ['https://192.168.1.1', 'private network'],
    ['https://172.16.0.1', 'private network'],
    ['https://172.31.255.255', 'private network'],
    ['https://[fd00::1]', 'private network'],
    ['https://100.64.0.1', 'shared carrier'],
    ['https://0.0.0.0', 'empty address'],
    ['https://0', 'empty address'],
    ['https://224.0.0.1', 'multicast'],
    ['https://[ff02::1]', 'multicast'],
    ['https://255.255.255.255', 'broadcast'],
    ['https://240.0.0.1', 'reserved'],
    ['https://192.0.2.10', 'documentation'],
    ['https://[2001:db8::1]', 'documentation'],
    ['https://[2001::1]', 'reserved'],
    ['https://[::]', 'empty address'],
    ['https://intranet', 'without a domain'],
    ['https://printer.local', 'local network name'],
    ['https://db.internal', 'local network name'],
    ['https://nas.home.arpa', 'local network name'],
    ['https://1.0.0.127.in-addr.arpa', 'local network name'],
  ])('rejects %s as %s', (url, words) => {
    const message = messageOf(url, webhook);
    expect(message).toContain('which RingCentral cannot reach');
    expect(message).toContain(words);
  });

  it('accepts a 2,000-character URL because webhook URLs may be up to 2,048 characters', () => {
    const url = `https://hooks.example.com/${'a'.repeat(2000 - 26)}`;
    expect(url).toHaveLength(2000);
    expect(validateUrl(url, webhook)).toEqual({ ok: true, url });
    expect(messageOf(`${url}${'a'.repeat(49)}`, webhook)).toBe('This URL is 2049 characters long; the limit is 2048.');
  });

  it('rejects user info, fragments and wildcards on webhook URLs too', () => {
    expect(messageOf('https://u:p@host.example.com', webhook)).toMatch(/user name and password/);
    expect(messageOf('https://x.example.com/#frag', webhook)).toMatch(/fragments/);
    expect(messageOf('https://*.example.com/cb', webhook)).toMatch(/Wildcards/);
  });
});

describe('classifyHost', () => {
  it('treats example.com as public but the bare .example TLD as local', () => {
    expect(classifyHost('hooks.example.com').kind).toBe('public');
    expect(classifyHost('hooks.example').kind).toBe('local-name');
  });

  it('lets NAT64 and 6to4 addresses through when the IPv4 address inside is public', () => {
    expect(classifyHost('[64:ff9b::5db8:d822]').kind).toBe('public');
    expect(classifyHost('[2002:5db8:d822::1]').kind).toBe('public');
  });

  it('marks malformed host names as invalid', () => {
    expect(classifyHost('a..b').kind).toBe('invalid');
    expect(classifyHost('[zz::1]').kind).toBe('invalid');
  });
});

describe('validateUrl normalises before it checks', () => {
  it('checks and keeps the NFKC form, not the WHATWG serialisation', () => {
    expect(validateUrl('ｈｔｔｐｓ：／／ａｐｐ．ｅｘａｍｐｌｅ．ｃｏｍ／ｃｂ', redirect)).toEqual({ ok: true, url: 'https://app.example.com/cb' });
    expect(validateUrl('https://Ａpp.Example.com/ＣＢ?x=①', redirect)).toEqual({ ok: true, url: 'https://App.Example.com/CB?x=1' });
  });

  it('refuses what normalising turns into a forbidden spelling', () => {
    expect(messageOf('https://app.example.com＼cb', redirect)).toMatch(/forward slashes/);
    expect(messageOf('https://＊.example.com/cb', redirect)).toMatch(/Wildcards/);
    expect(messageOf('https://user＠app.example.com/cb', redirect)).toMatch(/user name and password/);
    expect(messageOf('https://app.example.com/cb＃top', redirect)).toMatch(/fragments are not allowed/);
    expect(messageOf('https://app.example.com/a\u00A8b', redirect)).toMatch(/invisible characters/); // NFKC gives a space
  });

  it.each([
    ['a zero-width space', 'https://app.example.com/\u200Bcb'],
    ['a right-to-left override', 'https://app.example.com/\u202Ebc'],
    ['a variation selector', 'https://app.example.com/cb\uFE0F'],
    ['a soft hyphen', 'https://ap\u00ADp.example.com/cb'],
    ['a line separator', 'https://app.example.com/\u2028cb'],
  ])('refuses a URL with %s', (_, url) => {
    expect(messageOf(url, redirect)).toBe('A URL cannot contain spaces, line breaks or other invisible characters.');
  });
});

describe('validateUrl host names and ports', () => {
  it.each(['https://my_app.example.com/cb', 'https://-app.example.com/cb', 'https://app-.example.com/cb', `https://${'a'.repeat(64)}.example.com/cb`])('refuses the host of %s', (url) => {
    expect(messageOf(url, redirect)).toMatch(/host name in this URL is not valid.*no underscores/);
  });

  it('accepts hyphens inside a label and a label of 63 characters', () => {
    expect(validateUrl(`https://my-app.${'a'.repeat(63)}.example.com/cb`, redirect).ok).toBe(true);
    expect(validateUrl('https://xn--mnich-kva.de/cb', redirect).ok).toBe(true);
  });

  it('refuses port 0 however it is written, and accepts other ports', () => {
    expect(messageOf('https://app.example.com:0/cb', redirect)).toMatch(/Port 0/);
    expect(messageOf('https://app.example.com:000/cb', redirect)).toMatch(/Port 0/);
    expect(messageOf('http://localhost:0/cb', redirect)).toMatch(/Port 0/);
    expect(validateUrl('https://app.example.com:8443/cb', redirect).ok).toBe(true);
  });

  it.each([
    ['Cyrillic а among Latin letters', 'https://\u0430pple.com/cb'],
    ['the same in punycode', 'https://xn--pple-43d.com/cb'],
    ['Greek α among Latin letters', 'https://p\u03B1ypal.com/cb'],
    ['Cyrillic and Greek together', 'https://\u0430\u03B1.example.com/cb'],
    ['Latin with Hangul and Hiragana', 'https://a\uD55C\u3042.example.com/cb'],
  ])('refuses a label mixing scripts: %s', (_, url) => {
    expect(messageOf(url, redirect)).toMatch(/mixes letters of different alphabets/);
    expect(messageOf(url, webhook)).toMatch(/mixes letters of different alphabets/);
  });

  it.each([
    ['one script per label', 'https://\u65E5\u672C\u8A9E.jp/cb'],
    ['a Cyrillic top-level domain after a Latin label', 'https://example.\u0440\u0444/cb'],
    ['Latin with Han, Hiragana and Katakana', 'https://tokyo\u6771\u4EAC\u30BF\u30EF\u30FC.jp/cb'],
    ['Latin with Han and Hangul', 'https://seoul\u9996\uD55C.kr/cb'],
    ['Latin with Han and Bopomofo', 'https://a\u4E2D\u3105.tw/cb'],
    ['a Latin name with accents', 'https://m\u00FCnich.de/cb'],
  ])('accepts %s', (_, url) => {
    expect(validateUrl(url, webhook).ok).toBe(true);
  });

  it('classifies a homograph label and an underscore label', () => {
    expect(classifyHost('xn--pple-43d.com').kind).toBe('mixed-script');
    expect(classifyHost('a_b.example.com').kind).toBe('invalid');
    expect(classifyHost(`${'a.'.repeat(127)}com`).kind).toBe('invalid'); // 257 characters
  });
});
