import { BlockList, isIP } from 'node:net';
import { domainToUnicode } from 'node:url';

/** What kind of place a URL's host points to, judged from its spelling alone. */
export type HostKind =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'shared'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'ipv4-in-ipv6'
  | 'local-name'
  | 'single-label'
  | 'mixed-script'
  | 'invalid';

/** A host's kind plus a phrase that completes "This URL points to …" for a user. */
export interface HostClass {
  kind: HostKind;
  description: string;
}

const DESCRIPTIONS: Record<HostKind, string> = {
  public: 'a public address',
  loopback: 'this computer (a loopback address)',
  private: 'a private network address',
  'link-local': 'a link-local address that only works inside one network',
  shared: 'a shared carrier network address (100.64.0.0/10)',
  unspecified: 'an empty address (0.0.0.0)',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  documentation: 'an address reserved for examples and documentation',
  'ipv4-in-ipv6': 'an IPv4 address written in IPv6 form',
  'local-name': 'a local network name',
  'single-label': 'a name without a domain (like "intranet")',
  'mixed-script': 'a name that mixes alphabets in one part (the pattern of look-alike addresses)',
  invalid: 'a host name that is not valid',
};

const classOf = (kind: HostKind): HostClass => ({ kind, description: DESCRIPTIONS[kind] });

// Checked in order: broadcast must win over the wider 240.0.0.0/4 reserved block.
const IPV4_RANGES: Array<[HostKind, string, number]> = [
  ['unspecified', '0.0.0.0', 8],
  ['private', '10.0.0.0', 8],
  ['shared', '100.64.0.0', 10],
  ['loopback', '127.0.0.0', 8],
  ['link-local', '169.254.0.0', 16],
  ['private', '172.16.0.0', 12],
  ['reserved', '192.0.0.0', 24],
  ['documentation', '192.0.2.0', 24],
  ['reserved', '192.88.99.0', 24],
  ['private', '192.168.0.0', 16],
  ['reserved', '198.18.0.0', 15],
  ['documentation', '198.51.100.0', 24],
  ['documentation', '203.0.113.0', 24],
  ['multicast', '224.0.0.0', 4],
  ['broadcast', '255.255.255.255', 32],
  ['reserved', '240.0.0.0', 4],
];

const IPV4_LISTS = IPV4_RANGES.map(([kind, net, prefix]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, 'ipv4');
  return { kind, list };
});

// Names that never resolve on the public internet (RFC 6761, RFC 8375, ICANN's .internal) or that
// are common private-network suffixes. `example` is only the bare TLD: example.com is a real domain.
const LOCAL_SUFFIXES = [
  'localhost', 'local', 'internal', 'intranet', 'lan', 'home', 'corp', 'private', 'localdomain',
  'arpa', 'test', 'invalid', 'example', 'onion', 'alt',
];

/**
 * Classifies the `hostname` of a WHATWG `URL` (IPv6 in brackets, IPv4 already normalised to dotted
 * decimal by the URL parser). Parse only: never resolves or connects, so a public name that
 * resolves to a private address is not caught here; whoever connects must check the address again.
 *
 * @example
 *   classifyHost(new URL('https://0x7f000001/').hostname).kind === 'loopback'
 */
export function classifyHost(hostname: string): HostClass {
  const host = hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) {
    const inner = host.slice(1, -1);
    return isIP(inner) === 6 ? classifyIpv6(inner) : classOf('invalid');
  }
  if (isIP(host) === 4) return classifyIpv4(host);
  return classifyName(host);
}

function classifyIpv4(address: string): HostClass {
  const hit = IPV4_LISTS.find(({ list }) => list.check(address, 'ipv4'));
  return classOf(hit?.kind ?? 'public');
}

/** An LDH label (RFC 1035 2.3.1, RFC 5890 2.3.1): letters, digits, hyphens, no hyphen at either end, 63 at most. */
const LDH_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function classifyName(host: string): HostClass {
  // One trailing dot is the fully-qualified spelling of the same name; anything else is malformed.
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name === '' || name.startsWith('.') || name.includes('..') || name.endsWith('.')) return classOf('invalid');
  // The WHATWG parser lets `_` and edge hyphens through; DNS host names do not (RFC 952, RFC 1123 2.1).
  const labels = name.split('.');
  if (name.length > 253 || !labels.every((label) => LDH_LABEL.test(label))) return classOf('invalid');
  if (labels.some((label) => label.startsWith('xn--') && mixesScripts(domainToUnicode(label)))) return classOf('mixed-script');
  if (name === 'localhost' || name.endsWith('.localhost')) return classOf('loopback');
  if (!name.includes('.')) return classOf('single-label');
  if (LOCAL_SUFFIXES.some((suffix) => name.endsWith(`.${suffix}`))) return classOf('local-name');
  return classOf('public');
}

// Scripts told apart; letters of any other script count as one "other" script.
const SCRIPTS = [
  'Latin', 'Greek', 'Cyrillic', 'Armenian', 'Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Devanagari', 'Bengali', 'Gurmukhi',
  'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Thai', 'Lao', 'Tibetan', 'Myanmar',
  'Georgian', 'Hangul', 'Ethiopic', 'Cherokee', 'Khmer', 'Mongolian', 'Hiragana', 'Katakana', 'Bopomofo', 'Han', 'Yi',
  'Tifinagh', 'Nko', 'Canadian_Aboriginal', 'Coptic', 'Glagolitic',
].map((name) => ({ name, pattern: new RegExp(`\\p{Script=${name}}`, 'u') }));
const SHARED = /[\p{Script=Common}\p{Script=Inherited}]/u;
/** UTS #39 5.2 "Highly Restrictive": one script, or Latin with one of the CJK combinations. */
const ALLOWED_MIXES = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];

/** Whether one (Unicode) label mixes scripts beyond what UTS #39's highly restrictive level allows. */
function mixesScripts(label: string): boolean {
  const scripts = new Set<string>();
  for (const char of label) {
    if (SHARED.test(char)) continue; // digits, hyphens, marks: no script of their own
    scripts.add(SCRIPTS.find((s) => s.pattern.test(char))?.name ?? 'other');
  }
  if (scripts.size <= 1) return false;
  return !ALLOWED_MIXES.some((allowed) => [...scripts].every((s) => allowed.includes(s)));
}

function classifyIpv6(address: string): HostClass {
  const value = ipv6ToBigInt(address);
  if (value === undefined) return classOf('invalid');
  const inPrefix = (base: string, bits: number) => {
    const shift = BigInt(128 - bits);
    return value >> shift === (ipv6ToBigInt(base) ?? -1n) >> shift;
  };
  const embedded = () => classifyIpv4(bigIntToIpv4(value & 0xffffffffn));

  if (value === 0n) return classOf('unspecified');
  if (value === 1n) return classOf('loopback');
  // IPv4-mapped (::ffff:0:0/96) and the deprecated IPv4-compatible (::/96) forms: report what
  // they hide when that is private, and refuse them anyway, since a real service has a plain address.
  if (inPrefix('::ffff:0:0', 96) || inPrefix('::', 96)) {
    const inner = embedded();
    return inner.kind === 'public' ? classOf('ipv4-in-ipv6') : inner;
  }
  // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address, so it is exactly as public as that one.
  if (inPrefix('64:ff9b::', 96)) return embedded();
  if (inPrefix('64:ff9b:1::', 48)) return classOf('private');
  if (inPrefix('fc00::', 7) || inPrefix('fec0::', 10)) return classOf('private');
  if (inPrefix('fe80::', 10)) return classOf('link-local');
  if (inPrefix('ff00::', 8)) return classOf('multicast');
  if (inPrefix('2001:db8::', 32) || inPrefix('3fff::', 20)) return classOf('documentation');
  // 6to4 carries an IPv4 address in bits 16..48.
  if (inPrefix('2002::', 16)) {
    const inner = classifyIpv4(bigIntToIpv4((value >> 80n) & 0xffffffffn));
    return inner.kind === 'public' ? classOf('public') : inner;
  }
  // 2001::/23 holds Teredo (which hides an IPv4 address) and other protocol assignments.
  if (inPrefix('2001::', 23) || inPrefix('100::', 64) || inPrefix('5f00::', 16)) return classOf('reserved');
  // Only 2000::/3 is allocated as global unicast; everything else is reserved.
  return inPrefix('2000::', 3) ? classOf('public') : classOf('reserved');
}

function ipv6ToBigInt(address: string): bigint | undefined {
  let text = address;
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two hex groups so one parser handles every form.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

function bigIntToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 0xffn)).join('.');
}
