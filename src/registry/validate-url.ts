import { isIP } from 'node:net';
import { classifyHost } from './classify-host.js';

/** Which URLs a field accepts. */
export interface UrlRules {
  /** Let `http://` through for localhost, 127.0.0.0/8 and [::1] (OAuth redirects to a local app). */
  allowLoopbackHttp?: boolean;
  /** Refuse hosts RingCentral could not reach or must not be sent to: loopback, private, local names. */
  requirePublicHost?: boolean;
  /** Longest accepted URL, counted on the trimmed text as typed. */
  maxLength: number;
}

export type UrlCheck = { ok: true; url: string } | { ok: false; message: string };

const EXAMPLE = 'https://hooks.example.com/ringcentral';

/**
 * Checks one URL typed into a card, by parsing only (no DNS lookup, no connection).
 * On success `url` is the trimmed text exactly as typed, because RingCentral compares redirect URIs
 * character for character. The host is judged after Node's WHATWG parser has normalised it, so
 * `https://2130706433`, `https://0x7f.0.0.1`, `https://127.1` and `https://[::ffff:7f00:1]` are all
 * seen as the loopback address they are.
 *
 * @example
 *   validateUrl('http://localhost:8080/cb', { allowLoopbackHttp: true, maxLength: 256 }) // ok
 *   validateUrl('https://10.0.0.1/hook', { requirePublicHost: true, maxLength: 2048 }).ok === false
 */
export function validateUrl(raw: unknown, rules: UrlRules): UrlCheck {
  if (typeof raw !== 'string') return fail('Please enter the URL as text.');
  const text = raw.trim();
  if (text === '') return fail('Please enter a URL.');
  if (text.length > rules.maxLength) {
    return fail(`This URL is ${text.length} characters long; the limit is ${rules.maxLength}.`);
  }
  // The WHATWG parser silently drops tabs and newlines and turns \ into /, so what it would accept
  // is not what the user sees; refuse those spellings instead.
  if (/[\s\p{Cc}]/u.test(text)) return fail('A URL cannot contain spaces, line breaks or other invisible characters.');
  if (text.includes('\\')) return fail('Use forward slashes (/) in the URL, not backslashes (\\).');
  if (text.includes('*')) return fail('Wildcards (*) are not allowed. Enter the exact URL.');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(text);
  if (!scheme || scheme[2] === '') {
    return fail(`Enter a full URL starting with https://, for example ${EXAMPLE}.`);
  }
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

  const host = classifyHost(url.hostname);
  if (host.kind === 'invalid') return fail('The host name in this URL is not valid. Please check it for typos.');
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
