import fc from 'fast-check';
import { BlockList } from 'node:net';
import {
  addressAllowed,
  destinationRefusal,
  forbiddenAddressReason,
  hostAllowed,
  hostOfUrl,
  NO_ALLOWED_DESTINATIONS,
  parseDestinationAllowList,
  type DestinationAllowList,
} from './destinations';

const LOOPBACK = 'loopback address';
const PRIVATE = 'private network address (RFC 1918)';
const LINK_LOCAL = 'link-local address (cloud metadata and fe80::/10)';

/** The host a webhook URL would connect to, judged. */
const judgeUrl = (url: string) => forbiddenAddressReason(hostOfUrl(new URL(url)));

/** Parses a list that must be valid. */
function allowList(text: string): DestinationAllowList {
  const parsed = parseDestinationAllowList(text);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.list;
}

describe('hostOfUrl', () => {
  it('removes IPv6 brackets and a trailing dot, and lower-cases', () => {
    expect(hostOfUrl(new URL('http://[::1]:8080/x'))).toBe('::1');
    expect(hostOfUrl(new URL('http://[FE80::1]/'))).toBe('fe80::1');
    expect(hostOfUrl(new URL('http://Receiver.Internal./'))).toBe('receiver.internal');
    expect(hostOfUrl(new URL('https://example.com/'))).toBe('example.com');
  });
});

describe('forbiddenAddressReason through hostOfUrl(new URL(...))', () => {
  // URL has already normalised the numeric IPv4 spellings; these check that nothing slips past between the two.
  it.each([
    ['http://2130706433/', LOOPBACK],
    ['http://0177.0.0.1/', LOOPBACK],
    ['http://0x7f000001/', LOOPBACK],
    ['http://0x7f.0.0.1/', LOOPBACK],
    ['http://0x7f.1/', LOOPBACK],
    ['http://127.1/', LOOPBACK],
    ['http://127.0.1/', LOOPBACK],
    ['http://127.0.0.1./', LOOPBACK],
    ['http://127.255.255.254:8080/', LOOPBACK],
    ['http://[::1]/', LOOPBACK],
    ['http://[0:0:0:0:0:0:0:1]/', LOOPBACK],
    ['http://[::ffff:127.0.0.1]/', LOOPBACK],
    ['http://[::ffff:7f00:1]/', LOOPBACK],
    ['http://[0:0:0:0:0:ffff:127.0.0.1]/', LOOPBACK],
    ['http://[::ffff:169.254.169.254]/', LINK_LOCAL],
    ['http://[64:ff9b::7f00:1]/', `${LOOPBACK}, embedded in a NAT64 address (64:ff9b::/96)`],
    ['http://[64:ff9b::169.254.169.254]/', `${LINK_LOCAL}, embedded in a NAT64 address (64:ff9b::/96)`],
    ['http://[2002:7f00:1::]/', `${LOOPBACK}, embedded in a 6to4 address (2002::/16)`],
    ['http://[2002:a00:1:1234::1]/', `${PRIVATE}, embedded in a 6to4 address (2002::/16)`],
    ['http://[::127.0.0.1]/', 'reserved address (deprecated IPv4-compatible IPv6, ::/96)'],
    ['http://169.254.169.254/', LINK_LOCAL],
    ['http://[fe80::1]/', LINK_LOCAL],
    ['http://[FEBF:ffff::1]/', LINK_LOCAL],
    ['http://[fd00::1]/', 'unique local address (fc00::/7)'],
    ['http://[fc00::1]/', 'unique local address (fc00::/7)'],
    ['http://[fec0::1]/', 'site-local address (deprecated, fec0::/10)'],
    ['http://10.0.0.1/', PRIVATE],
    ['http://172.16.0.1/', PRIVATE],
    ['http://172.31.255.255/', PRIVATE],
    ['http://192.168.1.1/', PRIVATE],
    ['http://100.64.0.1/', 'carrier-grade NAT address (RFC 6598)'],
    ['http://100.127.255.255/', 'carrier-grade NAT address (RFC 6598)'],
    ['http://0.0.0.0/', 'unspecified address'],
    ['http://0/', 'unspecified address'],
    ['http://0.1.2.3/', '"this network" address (0.0.0.0/8)'],
    ['http://224.0.0.1/', 'multicast address'],
    ['http://239.255.255.250/', 'multicast address'],
    ['http://255.255.255.255/', 'broadcast address'],
    ['http://240.0.0.1/', 'reserved address'],
    ['http://[ff02::1]/', 'multicast address'],
    ['http://[::]/', 'unspecified address'],
    ['http://198.18.0.1/', 'benchmarking address (RFC 2544)'],
    ['http://198.19.255.255/', 'benchmarking address (RFC 2544)'],
    ['http://192.0.0.8/', 'reserved address (IETF protocol assignments, 192.0.0.0/24)'],
    ['http://192.0.2.1/', 'documentation address'],
    ['http://198.51.100.7/', 'documentation address'],
    ['http://203.0.113.9/', 'documentation address'],
    ['http://192.88.99.1/', 'reserved address (deprecated 6to4 relay anycast)'],
    ['http://[2001:db8::1]/', 'documentation address'],
    ['http://[3fff::1]/', 'documentation address'],
    ['http://[3fff:fff:ffff::1]/', 'documentation address'],
    ['http://[2001::1]/', 'reserved address (IETF protocol assignments, 2001::/23, including Teredo)'],
    ['http://[2001:1ff::1]/', 'reserved address (IETF protocol assignments, 2001::/23, including Teredo)'],
    ['http://[64:ff9b:1::1]/', 'reserved address (local-use NAT64, RFC 8215)'],
    ['http://[100::1]/', 'discard-only address (RFC 6666)'],
    ['http://[::ffff:0:7f00:1]/', 'reserved address (outside 2000::/3 global unicast)'],
    ['http://[4000::1]/', 'reserved address (outside 2000::/3 global unicast)'],
  ])('%s is refused: %s', (url, reason) => {
    expect(judgeUrl(url)).toBe(reason);
  });

  it.each([
    'http://8.8.8.8/',
    'http://1.1.1.1/',
    'http://134744072/', // 8.8.8.8
    'http://172.15.255.255/',
    'http://172.32.0.1/',
    'http://100.63.255.255/',
    'http://100.128.0.1/',
    'http://169.253.255.255/',
    'http://198.17.255.255/',
    'http://198.20.0.0/',
    'http://223.255.255.255/',
    'http://192.0.3.1/',
    'http://[2606:4700:4700::1111]/',
    'http://[2606:4700:4700:0:0:0:0:1111]/',
    'http://[::ffff:8.8.8.8]/',
    'http://[64:ff9b::8.8.8.8]/',
    'http://[2002:808:808::1]/',
    'http://[2001:200::1]/',
    'http://[2001:db7:ffff::1]/',
    'http://[3fff:1000::1]/',
    'http://[2000::1]/',
  ])('%s is public', (url) => {
    expect(judgeUrl(url)).toBeNull();
  });
});

describe('forbiddenAddressReason', () => {
  it('ignores an IPv6 zone and letter case', () => {
    expect(forbiddenAddressReason('fe80::1%eth0')).toBe(LINK_LOCAL);
    expect(forbiddenAddressReason('FE80::1%25eth0')).toBe(LINK_LOCAL);
    expect(forbiddenAddressReason('::FFFF:7F00:1')).toBe(LOOPBACK);
    expect(forbiddenAddressReason('2606:4700:4700::1111%1')).toBeNull();
  });

  it('is "not an IP address" for anything else', () => {
    for (const input of [
      '',
      'localhost',
      '[::1]',
      '127.1',
      '2130706433',
      '0x7f.0.0.1',
      '127.0.0.01',
      '256.0.0.1',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '::ffff:127.1',
      '127.0.0.1%eth0',
      'fe80::1%',
      ' 127.0.0.1',
    ]) {
      expect(forbiddenAddressReason(input)).toBe('not an IP address');
    }
  });

  it('agrees with net.BlockList holding the IPv4 ranges, at every range edge', () => {
    const blocked = new BlockList();
    const ranges: [string, number][] = [
      ['0.0.0.0', 8],
      ['10.0.0.0', 8],
      ['100.64.0.0', 10],
      ['127.0.0.0', 8],
      ['169.254.0.0', 16],
      ['172.16.0.0', 12],
      ['192.0.0.0', 24],
      ['192.0.2.0', 24],
      ['192.88.99.0', 24],
      ['192.168.0.0', 16],
      ['198.18.0.0', 15],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
      ['224.0.0.0', 4],
      ['240.0.0.0', 4],
    ];
    const toNumber = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
    const toText = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
    const edges: number[] = [];
    for (const [network, bits] of ranges) {
      blocked.addSubnet(network, bits, 'ipv4');
      const first = toNumber(network);
      const last = first + 2 ** (32 - bits) - 1;
      edges.push(first - 1, first, last, last + 1);
    }
    for (const n of edges.filter((e) => e >= 0 && e < 2 ** 32)) {
      const ip = toText(n);
      expect([ip, forbiddenAddressReason(ip) !== null]).toEqual([ip, blocked.check(ip, 'ipv4')]);
    }
    fc.assert(
      fc.property(fc.ipV4(), (ip) => (forbiddenAddressReason(ip) !== null) === blocked.check(ip, 'ipv4')),
      { numRuns: 2000 },
    );
  });

  it('reads every spelling of an IPv6 address as the same 16 bytes', () => {
    const hex = (bytes: number[], from: number, to: number) =>
      Array.from({ length: (to - from) / 2 }, (_, i) =>
        (((bytes[from + 2 * i] ?? 0) << 8) | (bytes[from + 2 * i + 1] ?? 0)).toString(16),
      );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }), (bytes) => {
        const full = hex(bytes, 0, 16).join(':');
        // URL gives the RFC 5952 form: the longest run of zero groups compressed to `::`.
        const compressed = hostOfUrl(new URL(`http://[${full}]/`));
        const dottedTail = `${hex(bytes, 0, 12).join(':')}:${bytes.slice(12).join('.')}`;
        const list = allowList(`${full}`);
        // A 6to4 (2002::/16) or NAT64 (64:ff9b::/96) address is judged by the IPv4 address its traffic reaches, so an
        // IPv6 entry never admits it, in any spelling. (An IPv4-mapped entry is read as its IPv4 address, and admits.)
        const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
        const embedsIPv4 =
          (bytes[0] === 0x20 && bytes[1] === 0x02) ||
          (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12));
        for (const spelling of [full, full.toUpperCase(), compressed, dottedTail, `${compressed}%eth0`]) {
          expect(addressAllowed(list, spelling)).toBe(!embedsIPv4);
          expect(forbiddenAddressReason(spelling)).toBe(forbiddenAddressReason(full));
        }
        // One bit off is another address.
        const other = [...bytes];
        other[15] = (other[15] ?? 0) ^ 1;
        expect(addressAllowed(list, hex(other, 0, 16).join(':'))).toBe(false);
      }),
      {
        numRuns: 500,
        // A 6to4 address (a CI run's counterexample), an IPv4-mapped and a NAT64 one, on every run.
        examples: [
          [[0x20, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
          [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1]],
          [[0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 192, 168, 0, 1]],
        ],
      },
    );
  });
});

describe('parseDestinationAllowList', () => {
  it('reads addresses, CIDRs, host names and globs, ignoring whitespace, case and empty entries', () => {
    const parsed = parseDestinationAllowList(' 127.0.0.0/8, ::1 ,, Receiver.Internal. ,*.SVC.local, [fd00::1], ');
    expect(parsed).toMatchObject({
      ok: true,
      list: { entries: ['127.0.0.0/8', '::1', 'receiver.internal', '*.svc.local', '[fd00::1]'] },
    });
  });

  it('is empty for an empty setting, like NO_ALLOWED_DESTINATIONS', () => {
    for (const text of ['', ' ', ',, ,']) {
      const list = allowList(text);
      expect(list.entries).toEqual([]);
      expect(addressAllowed(list, '127.0.0.1')).toBe(false);
    }
    expect(NO_ALLOWED_DESTINATIONS.entries).toEqual([]);
    expect(addressAllowed(NO_ALLOWED_DESTINATIONS, '10.0.0.1')).toBe(false);
    expect(hostAllowed(NO_ALLOWED_DESTINATIONS, 'receiver.internal')).toBe(false);
  });

  it('names every bad entry in its own sentence', () => {
    const bad = ['10.0.0.0/33', 'http://x', '*', '*.', 'a b', 'fd00::/129', 'foo/8', '10.0.0.0/x', '10.0.0.256'];
    const parsed = parseDestinationAllowList(['10.0.0.0/8', ...bad, 'ok.internal'].join(','));
    if (parsed.ok) throw new Error('expected problems');
    expect(parsed.problems).toHaveLength(bad.length);
    bad.forEach((entry, i) => expect(parsed.problems[i]).toContain(`"${entry}"`));
    expect(parsed.problems[0]).toMatch(/IPv4 prefix length is a number from 0 to 32/);
    expect(parsed.problems[1]).toMatch(/is a URL: list only its host name or IP address \(x\)/);
    expect(parsed.problems[5]).toMatch(/IPv6 prefix length is a number from 0 to 128/);
  });

  it('explains a port, a zone, a leading dot and a non-dotted-quad IPv4 address', () => {
    const problems = (text: string) => {
      const parsed = parseDestinationAllowList(text);
      return parsed.ok ? [] : parsed.problems;
    };
    expect(problems('receiver.internal:8080')).toEqual([
      '"receiver.internal:8080" has a port: list host names and addresses without one',
    ]);
    expect(problems('fe80::1%eth0')).toEqual(['"fe80::1%eth0" has an IPv6 zone (%...): list the address without it']);
    expect(problems('.internal')[0]).toContain('write *.internal');
    expect(problems('127.1')[0]).toContain('four decimal numbers');
  });
});

describe('addressAllowed', () => {
  const list = allowList('127.0.0.0/8, ::1');

  it('allows addresses inside a listed CIDR or equal to a listed address', () => {
    expect(addressAllowed(list, '127.0.0.5')).toBe(true);
    expect(addressAllowed(list, '::1')).toBe(true);
    expect(addressAllowed(list, '0:0:0:0:0:0:0:1')).toBe(true);
    expect(addressAllowed(list, '10.0.0.1')).toBe(false);
    expect(addressAllowed(list, '128.0.0.1')).toBe(false);
    expect(addressAllowed(list, '::2')).toBe(false);
    expect(addressAllowed(list, 'localhost')).toBe(false);
  });

  it('checks an IPv4-mapped address as its IPv4 address, and reads mapped entries as IPv4', () => {
    expect(addressAllowed(allowList('10.0.0.0/8'), '::ffff:10.0.0.1')).toBe(true);
    expect(addressAllowed(allowList('10.0.0.0/8'), '::ffff:a00:1')).toBe(true);
    expect(addressAllowed(allowList('10.0.0.0/8'), '::ffff:11.0.0.1')).toBe(false);
    expect(addressAllowed(allowList('::ffff:10.0.0.0/104'), '10.1.2.3')).toBe(true);
    expect(addressAllowed(allowList('::ffff:10.0.0.1'), '10.0.0.1')).toBe(true);
    // A NAT64 address is judged by the IPv4 address the gateway forwards it to.
    expect(addressAllowed(allowList('10.0.0.0/8'), '64:ff9b::a00:1')).toBe(true);
  });

  it('ignores bits past the prefix, and /0 allows a whole family', () => {
    expect(addressAllowed(allowList('10.1.2.3/8'), '10.200.0.1')).toBe(true);
    expect(addressAllowed(allowList('fd12:3456::/8'), 'fd00::1')).toBe(true);
    expect(addressAllowed(allowList('fd00::/8'), 'fc00::1')).toBe(false);
    expect(addressAllowed(allowList('172.16.0.0/12'), '172.31.255.255')).toBe(true);
    expect(addressAllowed(allowList('172.16.0.0/12'), '172.32.0.0')).toBe(false);
    expect(addressAllowed(allowList('0.0.0.0/0'), '169.254.169.254')).toBe(true);
    expect(addressAllowed(allowList('0.0.0.0/0'), 'fe80::1')).toBe(false);
  });
});

describe('hostAllowed', () => {
  it('matches a host name exactly, ignoring case and a trailing dot on either side', () => {
    const list = allowList('receiver.internal');
    expect(hostAllowed(list, 'Receiver.Internal.')).toBe(true);
    expect(hostAllowed(list, 'receiver.internal')).toBe(true);
    expect(hostAllowed(allowList('receiver.internal.'), 'receiver.internal')).toBe(true);
    expect(hostAllowed(list, 'a.receiver.internal')).toBe(false);
    expect(hostAllowed(list, 'receiver.internal.evil.com')).toBe(false);
    expect(hostAllowed(list, 'xreceiver.internal')).toBe(false);
  });

  it('matches any subdomain for *.suffix, but not the bare domain', () => {
    const list = allowList('*.svc.local');
    expect(hostAllowed(list, 'a.svc.local')).toBe(true);
    expect(hostAllowed(list, 'x.y.svc.local.')).toBe(true);
    expect(hostAllowed(list, 'svc.local')).toBe(false);
    expect(hostAllowed(list, '.svc.local')).toBe(false);
    expect(hostAllowed(list, 'asvc.local')).toBe(false);
    expect(hostAllowed(list, 'a.svc.local.evil.com')).toBe(false);
  });

  it('compares internationalised names in punycode, as URL#hostname gives them', () => {
    const list = allowList('bücher.example');
    expect(list.entries).toEqual(['xn--bcher-kva.example']);
    expect(hostAllowed(list, hostOfUrl(new URL('http://BÜCHER.example/')))).toBe(true);
  });
});

describe('destinationRefusal', () => {
  const list = allowList('10.0.0.0/8, receiver.internal, *.svc.local');

  it('allows public addresses whatever the list', () => {
    expect(destinationRefusal(NO_ALLOWED_DESTINATIONS, 'example.com', '93.184.216.34')).toBeNull();
    expect(destinationRefusal(NO_ALLOWED_DESTINATIONS, '8.8.8.8', '8.8.8.8')).toBeNull();
  });

  it('refuses a forbidden address, giving the reason', () => {
    expect(destinationRefusal(NO_ALLOWED_DESTINATIONS, 'example.com', '127.0.0.1')).toBe(LOOPBACK);
    expect(destinationRefusal(list, '169.254.169.254', '169.254.169.254')).toBe(
      `${LINK_LOCAL}, a cloud metadata service`,
    );
    expect(destinationRefusal(list, 'evil.example', '192.168.0.1')).toBe(PRIVATE);
  });

  it('allows a forbidden address when the operator allowed the address or the host name', () => {
    expect(destinationRefusal(list, '10.1.2.3', '10.1.2.3')).toBeNull();
    expect(destinationRefusal(list, 'anything.example', '10.1.2.3')).toBeNull();
    expect(destinationRefusal(list, 'receiver.internal', '192.168.0.1')).toBeNull();
    expect(destinationRefusal(list, 'api.svc.local', '127.0.0.1')).toBeNull();
  });

  it('refuses what is not an IP address, even through an allowed host name', () => {
    expect(destinationRefusal(list, 'receiver.internal', 'receiver.internal')).toBe('not an IP address');
  });
});

describe('allow-list entries cannot be stretched to metadata addresses', () => {
  const allow = (text: string) => {
    const parsed = parseDestinationAllowList(text);
    if (!parsed.ok) throw new Error(parsed.problems.join());
    return parsed.list;
  };

  it('a host-name entry does not reach a link-local address (metadata.google.internal)', () => {
    const list = allow('*.internal');
    expect(destinationRefusal(list, 'metadata.google.internal', '169.254.169.254')).toMatch(/^link-local/);
    expect(destinationRefusal(list, 'metadata.google.internal', 'fe80::1')).toMatch(/^link-local/);
    // Other internal addresses it does allow, and an address entry can allow link-local on purpose.
    expect(destinationRefusal(list, 'db.internal', '10.0.0.5')).toBeNull();
    expect(destinationRefusal(allow('169.254.169.254'), 'x', '169.254.169.254')).toBeNull();
  });

  it('an IPv6 entry does not allow the IPv4 address a mapped, NAT64 or 6to4 address reaches', () => {
    const list = allow('::/0');
    expect(destinationRefusal(list, '::ffff:a9fe:a9fe', '::ffff:a9fe:a9fe')).toMatch(/link-local/);
    expect(destinationRefusal(allow('64:ff9b::/96'), 'n', '64:ff9b::a00:1')).toMatch(/private/);
    expect(destinationRefusal(allow('2000::/3'), 'n', '2002:a9fe:a9fe::')).toMatch(/link-local/);
    // An IPv4 entry still allows its mapped form.
    expect(destinationRefusal(allow('10.0.0.0/8'), 'n', '::ffff:10.0.0.1')).toBeNull();
  });
});
