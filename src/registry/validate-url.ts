import { isIP } from 'node:net';
import { classifyHost } from './classify-host.js';
import { INVISIBLE } from './name-key.js';

/** Which URLs a field accepts. */
export interface UrlRules {
  /** Let `http://` through for localhost, 127.0.0.0/8 and [::1] (OAuth redirects to a local app). */
  allowLoopbackHttp?: boolean;
  /** Refuse hosts RingCentral could not reach or must not be sent to: loopback, private, local names. */
  requirePublicHost?: boolean;
  /** Longest accepted URL, counted on the trimmed, NFKC-normalised text. */
  maxLength: number;
}

export type UrlCheck = { ok: true; url: string } | { ok: false; message: string };

const EXAMPLE = 'https://hooks.example.com/ringcentral';

/**
 * Checks one URL typed into a card, by parsing only (no DNS lookup, no connection).
 * The text is trimmed and put in NFKC form first (fullwidth `ｈｔｔｐｓ：／／` becomes `https://`), and
 * every check runs on that form; on success `url` is that text, not the WHATWG serialisation,
 * because RingCentral compares redirect URIs character for character. The host is judged after
 * Node's WHATWG parser has normalised it, so `https://2130706433`, `https://0x7f.0.0.1`,
 * `https://127.1` and `https://[::ffff:7f00:1]` are all seen as the loopback address they are.
 * Host names must be LDH labels (no `_`, no hyphen at a label's ends), port 0 is refused, and so
 * is a label that mixes scripts the way look-alike (homograph) addresses do (UTS #39).
 *
 * @example
 *   validateUrl('http://localhost:8080/cb', { allowLoopbackHttp: true, maxLength: 256 }) // ok
 *   validateUrl('https://10.0.0.1/hook', { requirePublicHost: true, maxLength: 2048 }).ok === false
 */
export function validateUrl(raw: unknown, rules: UrlRules): UrlCheck {
  if (typeof raw !== 'string') return fail('Please enter the URL as text.');
  const typed = raw.trim();
  if (typed === '') return fail('Please enter a URL.');
  // The WHATWG parser silently drops tabs and newlines and turns \ into /, so what it would accept
  // is not what the user sees; refuse those spellings instead, before and after normalising.
  const hidden = (t: string) => /\s/.test(t) || INVISIBLE.test(t);
  if (hidden(typed)) return fail('A URL cannot contain spaces, line breaks or other invisible characters.');
  const text = typed.normalize('NFKC');
  if (hidden(text)) return fail('A URL cannot contain spaces, line breaks or other invisible characters.');
  if (text.length > rules.maxLength) {
    return fail(`This URL is ${text.length} characters long; the limit is ${rules.maxLength}.`);
  }
  if (text.includes('\\')) return fail('Use forward slashes (/) in the URL, not backslashes (\\).');
  if (text.includes('*')) return fail('Wildcards (*) are not allowed. Enter the exact URL.');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(text);
  if (!scheme || scheme[2] === '') {
    return fail(`Enter a full URL starting with https://, for example ${EXAMPLE}.`);
  }
  // IDNA reads the ideographic full stops as dots: the host reached would not be the text stored.
  if (/[\u3002\uFF0E\uFF61]/.test(scheme[2] ?? '')) return fail('Use a plain dot (.) between the parts of the host name.');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail("This doesn't look like a valid web address. Please check it for typos.");
  }

  if (url.protocol === 'http:') {
    if (!rules.allowLoopbackHttp) return fail('Use https:// (plain http is not allowed here).');
    if (!isLoopbackHttpHost(url.hostname)) return fail('Use https:// (http is only allowed for localhost).');
  } else if (url.protocol !== 'https:') {
    return fail('Use an https:// web address. Other kinds of links are not allowed here.');
  }
  // `https://@host` parses with an empty user name, so look at the typed authority as well.
  if (url.username !== '' || url.password !== '' || (scheme[2] ?? '').includes('@')) {
    return fail('Remove the user name and password (the part before @) from the URL.');
  }
  if (text.includes('#')) return fail('Remove the # and everything after it: fragments are not allowed in this URL.');

  if (url.port === '0') return fail('Port 0 cannot receive anything: remove it, or use the port your server listens on.');

  const host = classifyHost(url.hostname);
  if (host.kind === 'invalid') {
    return fail('The host name in this URL is not valid: each part of it may hold only letters, digits and hyphens (no underscores), and cannot start or end with a hyphen.');
  }
  if (host.kind === 'mixed-script') {
    return fail('The host name mixes letters of different alphabets (such as Latin and Cyrillic) in one part, which is how look-alike addresses are made. Type it in one alphabet.');
  }
  if (rules.requirePublicHost && host.kind !== 'public') {
    return fail(`This URL points to ${host.description}, which RingCentral cannot reach. Use a public address such as ${EXAMPLE}.`);
  }
  return { ok: true, url: text };
}

/** The loopback hosts RFC 8252 lets native apps receive OAuth redirects on over plain http. */
function isLoopbackHttpHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === 'localhost.' || hostname === '[::1]') return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}

function fail(message: string): UrlCheck {
  return { ok: false, message };
}
