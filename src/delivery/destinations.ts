/**
 * Which addresses a webhook call may connect to: the SSRF guard's policy. An event's URL is chosen by whoever can
 * schedule events, and the worker calls it from inside the operator's network; without a guard, a URL such as
 * `http://169.254.169.254/` (cloud metadata) or `http://10.0.0.5/` reaches what only the worker should. So only
 * globally reachable addresses are allowed, plus whatever the operator lists in WEBHOOK_ALLOWED_DESTINATIONS.
 *
 * Ranges follow IANA's IPv4 and IPv6 Special-Purpose Address Registries. Addresses are compared as bytes, never as
 * strings: `::ffff:7f00:1`, `::ffff:127.0.0.1` and `0:0:0:0:0:ffff:7f00:1` are one address.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

/** An address or network prefix: 4 bytes (IPv4) or 16 (IPv6), and how many leading bits count. */
interface Network {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

/** Parsed allow-list (from the operator setting WEBHOOK_ALLOWED_DESTINATIONS, comma-separated). */
export interface DestinationAllowList {
  /** Entries as the operator wrote them, normalised (for the startup message). */
  readonly entries: readonly string[];
  /** Address and CIDR entries. An IPv4-mapped IPv6 entry (`::ffff:10.0.0.0/104`) is stored as IPv4. */
  readonly networks: readonly { readonly bytes: Uint8Array; readonly bits: number }[];
  /** Host-name entries: lower-case ASCII (punycode), no trailing dot. */
  readonly hosts: ReadonlySet<string>;
  /** `*.suffix` entries as `.suffix`: a host name ending with one (and longer than it) is allowed. */
  readonly suffixes: readonly string[];
}

/** An allow-list that allows nothing beyond public addresses (WEBHOOK_ALLOWED_DESTINATIONS unset or empty). */
export const NO_ALLOWED_DESTINATIONS: DestinationAllowList = Object.freeze({
  entries: Object.freeze([]),
  networks: Object.freeze([]),
  hosts: new Set<string>(),
  suffixes: Object.freeze([]),
});

// --- Parsing addresses ---------------------------------------------------------------------------------------------

/** The IPv4 address's 4 bytes; null unless `text` is dotted-quad decimal (what net.isIP accepts, e.g. no `127.1`). */
function parseIPv4(text: string): Uint8Array | null {
  if (isIP(text) !== 4) return null;
  return Uint8Array.from(text.split('.').map(Number));
}

/** 16-bit groups of a colon-separated run (`''` is none); null when a group is not 1 to 4 hex digits. */
function hexGroups(run: string): number[] | null {
  if (run === '') return [];
  const groups = run.split(':');
  return groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g)) ? groups.map((g) => parseInt(g, 16)) : null;
}

/**
 * The IPv6 address's 16 bytes: `::` compression, an embedded dotted IPv4 tail (`::ffff:1.2.3.4`), any letter case.
 * Null unless net.isIP accepts `text` too, so the two never disagree about what is an address.
 */
function parseIPv6(text: string): Uint8Array | null {
  if (isIP(text) !== 6 || text.includes('%')) return null;
  let head = text;
  const tail: number[] = [];
  if (text.includes('.')) {
    const lastColon = text.lastIndexOf(':');
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    tail.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    // Keep a `::` before the IPv4 part (`::1.2.3.4`); drop a lone separator (`::ffff:1.2.3.4` → `::ffff`).
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  let groups: number[];
  if (halves.length === 1) {
    const all = hexGroups(head);
    if (all === null) return null;
    groups = [...all, ...tail];
  } else if (halves.length === 2) {
    const before = hexGroups(halves[0] ?? '');
    const after = hexGroups(halves[1] ?? '');
    if (before === null || after === null) return null;
    const zeros = 8 - before.length - after.length - tail.length;
    // `::` stands for at least one group of zeros (RFC 4291 §2.2).
    if (zeros < 1) return null;
    groups = [...before, ...new Array<number>(zeros).fill(0), ...after, ...tail];
  } else {
    return null;
  }
  if (groups.length !== 8) return null;
  return Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
}

/** An IPv6 zone (`fe80::1%eth0` → `fe80::1`) only picks the interface for a link-local address: not part of it. */
function withoutZone(ip: string): string {
  const percent = ip.indexOf('%');
  return percent > 0 && percent < ip.length - 1 && ip.includes(':') ? ip.slice(0, percent) : ip;
}

/** The address's bytes (4 or 16), with any zone ignored; null when `ip` is not an IP address. */
function parseIp(ip: string): Uint8Array | null {
  const bare = withoutZone(ip);
  return parseIPv4(bare) ?? parseIPv6(bare);
}

/** Parses a range written as a CIDR, for the tables below (a typo there is a bug, so it throws). */
function cidr(text: string): Network {
  const [address = '', bits = ''] = text.split('/');
  const bytes = parseIp(address);
  if (bytes === null) throw new Error(`bad built-in CIDR ${text}`);
  return { bytes, bits: Number(bits) };
}

/** Whether `bytes` (same family) has the network's first `bits` bits. */
function inNetwork(network: Network, bytes: Uint8Array): boolean {
  if (network.bytes.length !== bytes.length) return false;
  const whole = network.bits >> 3;
  for (let i = 0; i < whole; i++) if (network.bytes[i] !== bytes[i]) return false;
  const rest = network.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (((network.bytes[whole] ?? 0) ^ (bytes[whole] ?? 0)) & mask) === 0;
}

/** The IPv4 address in bytes[from, from + 4). */
function embeddedIPv4(bytes: Uint8Array, from: number): Uint8Array {
  return bytes.slice(from, from + 4);
}

/** `::ffff:a.b.c.d` is the IPv4 address a.b.c.d on a dual-stack socket: the OS connects over IPv4. */
const IPV4_MAPPED = cidr('::ffff:0:0/96');

/** The IPv4 address an IPv4-mapped IPv6 address stands for; other addresses unchanged. */
function unmapped(bytes: Uint8Array): Uint8Array {
  return inNetwork(IPV4_MAPPED, bytes) ? embeddedIPv4(bytes, 12) : bytes;
}

// --- Which addresses are refused ------------------------------------------------------------------------------------

const NOT_AN_IP = 'not an IP address';
const LINK_LOCAL = 'link-local address (cloud metadata and fe80::/10)';
const PRIVATE = 'private network address (RFC 1918)';
const DOCUMENTATION = 'documentation address';

/** Every IPv4 range that is not globally reachable, first match wins (so a /32 before its /8). */
const IPV4_REFUSED: readonly (readonly [Network, string])[] = [
  [cidr('0.0.0.0/32'), 'unspecified address'],
  // Linux connects to 0.x.y.z as to this host.
  [cidr('0.0.0.0/8'), '"this network" address (0.0.0.0/8)'],
  [cidr('10.0.0.0/8'), PRIVATE],
  [cidr('100.64.0.0/10'), 'carrier-grade NAT address (RFC 6598)'],
  [cidr('127.0.0.0/8'), 'loopback address'],
  [cidr('169.254.0.0/16'), LINK_LOCAL],
  [cidr('172.16.0.0/12'), PRIVATE],
  [cidr('192.0.0.0/24'), 'reserved address (IETF protocol assignments, 192.0.0.0/24)'],
  [cidr('192.0.2.0/24'), DOCUMENTATION],
  [cidr('192.88.99.0/24'), 'reserved address (deprecated 6to4 relay anycast)'],
  [cidr('192.168.0.0/16'), PRIVATE],
  [cidr('198.18.0.0/15'), 'benchmarking address (RFC 2544)'],
  [cidr('198.51.100.0/24'), DOCUMENTATION],
  [cidr('203.0.113.0/24'), DOCUMENTATION],
  [cidr('224.0.0.0/4'), 'multicast address'],
  [cidr('255.255.255.255/32'), 'broadcast address'],
  [cidr('240.0.0.0/4'), 'reserved address'],
];

/** IPv6 prefixes whose last 32 (or, for 6to4, bits 16 to 48) are an IPv4 address the traffic ends up at. */
const IPV6_EMBEDDING_IPV4: readonly (readonly [Network, number, string])[] = [
  [IPV4_MAPPED, 12, ''],
  // A NAT64 gateway on the worker's network forwards 64:ff9b::a.b.c.d to a.b.c.d.
  [cidr('64:ff9b::/96'), 12, ', embedded in a NAT64 address (64:ff9b::/96)'],
  // A 6to4 relay forwards 2002:AABB:CCDD:: to the IPv4 host AA.BB.CC.DD.
  [cidr('2002::/16'), 2, ', embedded in a 6to4 address (2002::/16)'],
];

/** IPv6 ranges inside or beside global unicast that are not globally reachable, first match wins. */
const IPV6_REFUSED: readonly (readonly [Network, string])[] = [
  [cidr('::/128'), 'unspecified address'],
  [cidr('::1/128'), 'loopback address'],
  [cidr('::/96'), 'reserved address (deprecated IPv4-compatible IPv6, ::/96)'],
  [cidr('64:ff9b:1::/48'), 'reserved address (local-use NAT64, RFC 8215)'],
  [cidr('100::/64'), 'discard-only address (RFC 6666)'],
  [cidr('2001::/23'), 'reserved address (IETF protocol assignments, 2001::/23, including Teredo)'],
  [cidr('2001:db8::/32'), DOCUMENTATION],
  [cidr('3fff::/20'), DOCUMENTATION],
  [cidr('fc00::/7'), 'unique local address (fc00::/7)'],
  [cidr('fe80::/10'), LINK_LOCAL],
  [cidr('fec0::/10'), 'site-local address (deprecated, fec0::/10)'],
  [cidr('ff00::/8'), 'multicast address'],
];

/**
 * Cloud metadata and platform endpoints (AWS, GCP, Azure, OpenStack: 169.254.169.254; AWS ECS: 169.254.170.2; AWS
 * IMDS over IPv6: fd00:ec2::254; Alibaba: 100.100.100.200; Azure WireServer: 168.63.129.16, a public address).
 */
const METADATA_ADDRESSES: readonly Network[] = [
  cidr('169.254.169.254/32'),
  cidr('169.254.170.2/32'),
  cidr('fd00:ec2::254/128'),
  cidr('100.100.100.200/32'),
  cidr('168.63.129.16/32'),
];

/** A public address that reaches the host's platform on Azure, not the internet. */
const AZURE_WIRESERVER = cidr('168.63.129.16/32');

/** All globally routed IPv6 unicast space lies here; everything else is reserved by the IETF or special-purpose. */
const IPV6_GLOBAL_UNICAST = cidr('2000::/3');

/** The reason for a parsed IPv4 address, or null when public. */
function ipv4Reason(bytes: Uint8Array): string | null {
  return IPV4_REFUSED.find(([network]) => inNetwork(network, bytes))?.[1] ?? null;
}

/**
 * Why connecting to this IP address is refused, or null when it is a public (globally reachable) address.
 *
 * @param ip an IP address as net.isIP accepts it: IPv6 without brackets, optionally with a zone (`fe80::1%eth0`).
 * @returns a short phrase such as "loopback address", "private network address (RFC 1918)" or "link-local address
 *   (cloud metadata and fe80::/10)"; "not an IP address" for anything else. An IPv6 address that carries an IPv4
 *   address the traffic reaches (IPv4-mapped, NAT64 64:ff9b::/96, 6to4) is judged by that IPv4 address. IPv6
 *   outside 2000::/3 without a more specific reason is a "reserved address".
 */
export function forbiddenAddressReason(ip: string): string | null {
  const bytes = parseIp(ip);
  if (bytes === null) return NOT_AN_IP;
  if (inNetwork(AZURE_WIRESERVER, reachedAddress(bytes))) return 'cloud platform address (Azure WireServer)';
  if (bytes.length === 4) return ipv4Reason(bytes);
  for (const [network, from, note] of IPV6_EMBEDDING_IPV4) {
    if (!inNetwork(network, bytes)) continue;
    const reason = ipv4Reason(embeddedIPv4(bytes, from));
    return reason === null ? null : `${reason}${note}`;
  }
  const refused = IPV6_REFUSED.find(([network]) => inNetwork(network, bytes));
  if (refused !== undefined) return refused[1];
  return inNetwork(IPV6_GLOBAL_UNICAST, bytes) ? null : 'reserved address (outside 2000::/3 global unicast)';
}

// --- The allow-list -------------------------------------------------------------------------------------------------

/** `[::1]` → `::1`: URLs bracket IPv6 addresses, and operators copy them out of URLs. */
function unbracketed(text: string): string {
  return /^\[[^\]]*:[^\]]*\]$/.test(text) ? text.slice(1, -1) : text;
}

/**
 * WHATWG URL reads a host whose last label is a number (`127.1`, `10.0.0.256`, `0x7f`) as IPv4, never as a name, so
 * such an entry could never match a host name.
 */
function endsInNumber(name: string): boolean {
  const last = name.split('.').pop() ?? '';
  return /^(?:\d+|0x[0-9a-f]*)$/i.test(last);
}

const MAX_HOST_NAME = 253;
const LABEL = /^[a-z0-9_-]{1,63}$/;

/** The host name as URL#hostname would give it (punycode, lower case), no trailing dot; null when not a host name. */
function normalHostName(text: string): string | null {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name === '' || endsInNumber(name)) return null;
  const ascii = domainToASCII(name);
  if (ascii === '' || ascii.length > MAX_HOST_NAME) return null;
  return ascii.split('.').every((label) => LABEL.test(label)) ? ascii : null;
}

/** One parsed entry, or the sentence saying what is wrong with it. */
type Entry =
  | { kind: 'network'; network: Network }
  | { kind: 'host'; name: string }
  | { kind: 'suffix'; suffix: string }
  | { kind: 'problem'; problem: string };

/** An address or CIDR entry as a network (IPv4-mapped ones as IPv4), or a problem; null when it is neither. */
function parseNetworkEntry(entry: string): Entry | null {
  const slash = entry.indexOf('/');
  const addressText = unbracketed(slash >= 0 ? entry.slice(0, slash) : entry);
  const parsed = parseIp(addressText);
  if (parsed !== null && addressText.includes('%')) {
    return { kind: 'problem', problem: `"${entry}" has an IPv6 zone (%...): list the address without it` };
  }
  if (slash < 0) {
    if (parsed === null) return null;
    const bytes = unmapped(parsed);
    return { kind: 'network', network: { bytes, bits: bytes.length * 8 } };
  }
  if (parsed === null) {
    return { kind: 'problem', problem: `"${entry}" is not a CIDR: "${addressText}" is not an IP address` };
  }
  const bitsText = entry.slice(slash + 1);
  const maxBits = parsed.length * 8;
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (Number.isNaN(bits) || bits > maxBits) {
    const family = parsed.length === 4 ? 'IPv4' : 'IPv6';
    return {
      kind: 'problem',
      problem: `"${entry}" is not a CIDR: an ${family} prefix length is a number from 0 to ${maxBits}`,
    };
  }
  // `::ffff:10.0.0.0/104` is 10.0.0.0/8; mapped addresses are checked as IPv4 (see addressAllowed).
  if (parsed.length === 16 && bits >= 96 && inNetwork(IPV4_MAPPED, parsed)) {
    return { kind: 'network', network: { bytes: embeddedIPv4(parsed, 12), bits: bits - 96 } };
  }
  return { kind: 'network', network: { bytes: parsed, bits } };
}

/** Reads one trimmed, lower-cased, non-empty entry. */
function parseEntry(entry: string): Entry {
  if (entry.includes('://')) {
    let host = '';
    try {
      host = hostOfUrl(new URL(entry));
    } catch {
      // Not even a URL: the sentence below still says what to write.
    }
    const hint = host === '' ? '' : ` (${host})`;
    return { kind: 'problem', problem: `"${entry}" is a URL: list only its host name or IP address${hint}` };
  }
  const network = parseNetworkEntry(entry);
  if (network !== null) return network;
  if (entry.startsWith('*')) {
    const name = entry.startsWith('*.') ? normalHostName(entry.slice(2)) : null;
    if (name === null) {
      return {
        kind: 'problem',
        problem: `"${entry}" is not a host glob: write *. and a domain, e.g. *.internal for any name under internal`,
      };
    }
    return { kind: 'suffix', suffix: `.${name}` };
  }
  if (/^[^:]+:\d+$/.test(entry)) {
    return { kind: 'problem', problem: `"${entry}" has a port: list host names and addresses without one` };
  }
  const name = normalHostName(entry);
  if (name !== null) return { kind: 'host', name };
  let hint = '';
  if (entry.startsWith('.')) hint = ` (for any name under ${entry.slice(1)}, write *${entry})`;
  else if (endsInNumber(entry)) hint = ' (write IPv4 addresses as four decimal numbers from 0 to 255, e.g. 10.0.0.1)';
  return { kind: 'problem', problem: `"${entry}" is not an IP address, CIDR, host name or *.domain glob${hint}` };
}

/**
 * Parses WEBHOOK_ALLOWED_DESTINATIONS: comma-separated entries, each an IPv4/IPv6 address (`10.0.0.5`, `::1`, `[::1]`),
 * a CIDR (`10.0.0.0/8`, `fd00::/8`; bits past the prefix are ignored), a host name (`receiver.internal`), or a host
 * glob (`*.internal`: any name under internal, not internal itself). Whitespace around entries and empty entries are
 * ignored; letter case and a host name's trailing dot do not matter.
 *
 * @returns the list; or one sentence per bad entry, naming it.
 */
export function parseDestinationAllowList(
  text: string,
): { ok: true; list: DestinationAllowList } | { ok: false; problems: string[] } {
  const entries: string[] = [];
  const networks: Network[] = [];
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  const problems: string[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    const parsed = parseEntry(entry);
    switch (parsed.kind) {
      case 'problem':
        problems.push(parsed.problem);
        continue;
      case 'network':
        networks.push(parsed.network);
        break;
      case 'host':
        hosts.add(parsed.name);
        break;
      case 'suffix':
        suffixes.push(parsed.suffix);
        break;
    }
    entries.push(parsed.kind === 'host' ? parsed.name : parsed.kind === 'suffix' ? `*${parsed.suffix}` : entry);
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, list: { entries, networks, hosts, suffixes } };
}

/**
 * Whether `ip` is inside an allowed CIDR or equal to an allowed address. An IPv6 address that carries an IPv4
 * address the traffic reaches (IPv4-mapped, NAT64, 6to4) is checked as that IPv4 address only: an IPv6 entry such as
 * `::/0` or `2000::/3` must not let `::ffff:169.254.169.254` through. False when `ip` is not an IP address.
 */
export function addressAllowed(list: DestinationAllowList, ip: string): boolean {
  const bytes = parseIp(ip);
  if (bytes === null) return false;
  const target = reachedAddress(bytes);
  return list.networks.some((network) => inNetwork(network, target));
}

/** The address traffic to `bytes` reaches: the embedded IPv4 address of a mapped, NAT64 or 6to4 one; else itself. */
function reachedAddress(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 4) return bytes;
  const embedding = IPV6_EMBEDDING_IPV4.find(([network]) => inNetwork(network, bytes));
  return embedding === undefined ? bytes : embeddedIPv4(bytes, embedding[1]);
}

/**
 * Whether a host name is allowed by a host-name entry (exact, case-insensitive, a trailing dot ignored on both sides)
 * or a `*.suffix` glob (any name ending in `.suffix`, not `suffix` itself).
 */
export function hostAllowed(list: DestinationAllowList, hostname: string): boolean {
  const lower = hostname.toLowerCase();
  const name = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  if (name === '') return false;
  return list.hosts.has(name) || list.suffixes.some((suffix) => name.endsWith(suffix) && name.length > suffix.length);
}

/**
 * The single decision: null when a connection to `ip`, reached through the host name `hostname` (equal to `ip` for a
 * literal), may be made; otherwise why not. Allowed when the operator allowed the host name or the address, or the
 * address is public. An `ip` that is not an IP address is always refused, whatever the host name.
 */
export function destinationRefusal(list: DestinationAllowList, hostname: string, ip: string): string | null {
  const reason = forbiddenAddressReason(ip);
  if (reason === null || reason === NOT_AN_IP) return reason;
  // Cloud metadata services sit inside ranges an operator may well allow (fd00::/8, 100.64.0.0/10): only an entry
  // naming the address exactly opens one.
  const bytes = parseIp(ip);
  const reached = bytes === null ? null : reachedAddress(bytes);
  if (reached !== null && METADATA_ADDRESSES.some((metadata) => inNetwork(metadata, reached))) {
    const exact = list.networks.some(
      (network) => network.bits === network.bytes.length * 8 && inNetwork(network, reached),
    );
    return exact ? null : `${reason}, a cloud metadata service`;
  }
  if (addressAllowed(list, ip)) return null;
  // A name entry (`*.internal`) does not reach link-local addresses: `metadata.google.internal` resolves to the
  // cloud metadata service. Only an address entry (169.254.0.0/16) can allow that.
  if (reason.startsWith(LINK_LOCAL)) return reason;
  return hostAllowed(list, hostname) ? null : reason;
}

/**
 * A URL's host as the address or name to check: WHATWG `URL#hostname` with IPv6 brackets removed, a trailing dot
 * removed, lower-cased. URL has already turned every IPv4 spelling (`2130706433`, `0x7f.1`, `0177.0.0.1`) into
 * dotted-quad form, so the result is what net.isIP and the resolver see.
 */
export function hostOfUrl(url: URL): string {
  const host = unbracketed(url.hostname).toLowerCase();
  return host.endsWith('.') ? host.slice(0, -1) : host;
}
